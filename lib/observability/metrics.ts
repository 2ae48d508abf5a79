// Prometheus metrics (prom-client). One registry per process, a process singleton because Next.js
// bundles instrumentation.ts and the route handlers separately. Counters are per instance: sum
// them across instances in PromQL (docs/observability.md).
import client from 'prom-client';
import type { CommandFinished, WriteConflictSeen } from './command-observer';
import { inFlight } from '@/lib/process/lifecycle';
import { singleton } from '@/lib/singleton';

type PoolStats = { total: number; idle: number; waiting: number };
export type ProjectionLag = { projection: string; events: number; seconds: number };

type MetricsSources = {
  /** The pg pools the process owns (lib/db/prisma.ts). */
  pools?: () => PoolStats[];
  /** Asynchronous projections' lag, read at scrape time; may throw (database down). */
  projectionLag?: () => Promise<ProjectionLag[]>;
};

export type Metrics = {
  registry: client.Registry;
  commands: client.Counter<'type' | 'outcome'>;
  commandDuration: client.Histogram<'type'>;
  commandAttempts: client.Histogram;
  writeConflicts: client.Counter<'kind'>;
  httpRequests: client.Counter<'route' | 'status'>;
  authInvalidations: client.Counter;
  sources: MetricsSources;
};

function create(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const sources: MetricsSources = {};
  const metrics: Metrics = {
    registry,
    sources,
    commands: new client.Counter({
      name: 'idem_commands_total',
      help: 'Commands handled, by type and outcome (replayed = duplicates absorbed).',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    commandDuration: new client.Histogram({
      name: 'idem_command_duration_seconds',
      help: 'Time to handle a command (load, decide, commit, retries), by type.',
      labelNames: ['type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    commandAttempts: new client.Histogram({
      name: 'idem_command_attempts',
      help: 'Attempts a command needed (1 = no write conflict).',
      buckets: [1, 2, 3, 5, 10, 20, 30],
      registers: [registry],
    }),
    writeConflicts: new client.Counter({
      name: 'idem_write_conflicts_total',
      help: 'Write conflicts retried by the command handler, by kind (unique, serialization, deadlock, lock-timeout).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    httpRequests: new client.Counter({
      name: 'idem_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status code.',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    authInvalidations: new client.Counter({
      name: 'idem_auth_invalidations_total',
      help: 'Notifications that a key, session or customer changed, after which this instance forgot the verdicts it remembered.',
      registers: [registry],
    }),
  };
  new client.Gauge({
    name: 'idem_db_pool_connections',
    help: 'Connections of the database pool: idle, in_use, waiting (requests queued for a connection).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pools = sources.pools?.() ?? [];
      const sum = (pick: (p: PoolStats) => number) => pools.reduce((n, p) => n + pick(p), 0);
      this.set(
        { state: 'idle' },
        sum((p) => p.idle),
      );
      this.set(
        { state: 'in_use' },
        sum((p) => p.total - p.idle),
      );
      this.set(
        { state: 'waiting' },
        sum((p) => p.waiting),
      );
    },
  });
  new client.Gauge({
    name: 'idem_http_requests_in_flight',
    help: 'HTTP requests being served right now (graceful shutdown waits for them).',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  // Both lag gauges come from one read per scrape (each gauge's collect() runs separately).
  let lagRead: Promise<ProjectionLag[]> | null = null;
  const readLag = () => {
    if (!sources.projectionLag) return Promise.resolve([]);
    lagRead ??= sources.projectionLag().finally(() => setTimeout(() => (lagRead = null), 250));
    return lagRead;
  };
  const lagGauge = (name: string, help: string, pick: (lag: ProjectionLag) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['projection'],
      registers: [registry],
      async collect() {
        // A failed read (database down) leaves the gauge out of this scrape rather than failing it;
        // /api/health/ready reports the database.
        this.reset();
        try {
          for (const lag of await readLag()) this.set({ projection: lag.projection }, pick(lag));
        } catch {
          // see above
        }
      },
    });
  lagGauge(
    'idem_projection_lag_events',
    'Events an asynchronous projection has not processed yet.',
    (lag) => lag.events,
  );
  lagGauge(
    'idem_projection_lag_seconds',
    'Age of the oldest event an asynchronous projection has not processed yet (0 when caught up).',
    (lag) => lag.seconds,
  );
  return metrics;
}

export function metrics(): Metrics {
  return singleton('metrics', create);
}

export function recordCommand(event: CommandFinished): void {
  const m = metrics();
  m.commands.inc({ type: event.type, outcome: event.outcome });
  m.commandDuration.observe({ type: event.type }, event.durationMs / 1000);
  m.commandAttempts.observe(event.attempts);
}

export function recordConflict(event: WriteConflictSeen): void {
  metrics().writeConflicts.inc({ kind: event.kind });
}

export function recordHttp(route: string, status: number): void {
  metrics().httpRequests.inc({ route, status: String(status) });
}

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
