// A cluster of Idem instances on one PostgreSQL, for `npm run cluster` (scripts/cluster.ts) and the
// storm/fault tests (test/*.cluster.test.ts): start PostgreSQL (embedded, or DATABASE_URL), migrate
// once, start N `next start` processes sharing it (and HAProxy in front, lib/cluster/haproxy.ts),
// kill one with SIGKILL, restart it, stop PostgreSQL with `-m immediate` and start it again on the
// same port, stop everything. Not server-only: plain Node, never imported by request-handling code.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { externalPostgres, freePort, startEmbeddedPostgres, type RunningPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrate';
import { startHaproxy, type Haproxy } from './haproxy';
import { startStatementsConsumer, type ConsumerProcess } from './consumer';
import { startNatsServer, type NatsOptions, type NatsServer } from './nats';
import { keepAliveArgs } from '../http/keep-alive';
import {
  countLine,
  countUnexpectedExit,
  lineSplitter,
  newInstanceErrors,
  type InstanceErrors,
  type InstanceNotices,
} from './instance-log';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NEXT_BIN = path.join(ROOT, 'node_modules', '.bin', 'next');
/** A customer API with a key that is no key: 401 once the instance serves and has asked PostgreSQL. */
const PROBE_PATH = '/api/accounts/00000000-0000-4000-8000-000000000000';
const PROBE_HEADERS = { authorization: 'Bearer idem_readiness-probe' };

type Log = (line: string) => void;
const quiet: Log = () => {};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// PostgreSQL
//
// The embedded server runs detached (a session of its own): a Ctrl-C in the terminal reaches only us,
// so we stop the instances BEFORE PostgreSQL; a test can stop it with `-m immediate` and start it
// again on the same port and data directory (lib/db/embedded-postgres.ts).

export type PostgresOptions = {
  /** Use this server instead of an embedded one (stopImmediate/restart then refuse). */
  databaseUrl?: string;
  /** The owner's URL for migrations when databaseUrl is an application role's; default databaseUrl. */
  migrationDatabaseUrl?: string;
  /** Embedded data directory; default a fresh temporary one, removed on stop. */
  dataDir?: string;
  /** Wipe dataDir first. */
  fresh?: boolean;
  /** Embedded server port; default a free one. */
  port?: number;
  database?: string;
  log?: Log;
};

export async function startPostgres(options: PostgresOptions = {}): Promise<RunningPostgres> {
  if (options.databaseUrl) return externalPostgres(options.databaseUrl, options.migrationDatabaseUrl);
  const { dataDir, fresh, port, database, log } = options;
  return startEmbeddedPostgres({ dataDir, fresh, port, database, log, detached: true });
}

// ---------------------------------------------------------------------------------------------
// App instances

type Instance = {
  index: number;
  port: number;
  url: string;
  /** The DATABASE_URL this instance was given (may point at a proxy). */
  databaseUrl: string;
  alive: boolean;
  pid: number | null;
  /** Everything the process printed, last ~5000 lines (a JSON log line per command: storms print thousands). */
  output: string[];
  /** How the last run ended (null while running): exit code, or the signal that killed it. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /**
   * Counted as the lines arrive, over every run of the instance (`output` keeps only the last
   * lines; lib/cluster/instance-log.ts): "unexpected error" (answered 500), uncaught exceptions /
   * unhandled rejections, exits the cluster did not cause; the first few, for a failure message.
   */
  errors: InstanceErrors;
  /** Lines that prove a fault was felt, counted the same way: "database unavailable" (answered 503). */
  notices: InstanceNotices;
};

export type ClusterOptions = PostgresOptions & {
  instances: number;
  /** First port; instances get consecutive ports. Default: a free port each. */
  basePort?: number;
  /** DATABASE_POOL_SIZE of each instance (default 10). */
  poolSize?: number;
  /** Run `next build` first (default false: serve the existing .next build). */
  build?: boolean;
  /** Per-instance DATABASE_URL (e.g. through a proxy); default the server's URL. */
  instanceDatabaseUrl?: (index: number, url: string) => string;
  /** Extra environment for every instance. One BETTER_AUTH_SECRET for all is generated unless given. */
  env?: Record<string, string>;
  /** Extra environment for one instance, over `env` (e.g. a test clock of its own). */
  instanceEnv?: (index: number) => Record<string, string>;
  /** Print the instances' output, prefixed with [i<index>]. */
  echo?: boolean;
  readyTimeoutMs?: number;
  /** Also start HAProxy (ops/haproxy.cfg) in front of the instances, on this port (default a free one). */
  lb?: { port?: number };
  /** Also start nats-server with JetStream (lib/cluster/nats.ts): every instance gets NATS_URL and runs a relay; and the statements consumer. */
  nats?: NatsOptions;
};

export type Cluster = {
  postgres: RunningPostgres;
  instances: Instance[];
  urls: () => string[];
  /** Kills instance `index` (default SIGKILL: no shutdown, in-flight requests are cut). */
  kill: (index: number, signal?: NodeJS.Signals) => Promise<void>;
  /** Starts instance `index` again (same port, same DATABASE_URL) and waits until it serves. */
  restart: (index: number) => Promise<void>;
  /** Instances first (SIGTERM, then SIGKILL after 10 s), then PostgreSQL. Idempotent. */
  stop: () => Promise<void>;
  /** HAProxy in front of the instances (servers i0, i1, …), when `lb` was given. */
  lb: Haproxy | null;
  /** nats-server and the statements consumer, when `nats` was given. */
  nats: NatsServer | null;
  consumer: ConsumerProcess | null;
};

/** `stopping`: the cluster sent the signal that ends this run (kill, restart, stop), so its exit is expected. */
type Managed = Instance & { child: ChildProcess | null; exited: Promise<void>; stopping: boolean };

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the owner dies without stop(): no orphaned `next start` keeps its port (the
  // PostgreSQL starter does the same for its servers).
  process.on('exit', () => {
    for (const child of liveChildren) killGroup(child, 'SIGKILL');
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole process group (`next start` and anything it forks)
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function buildApp(log: Log = console.log): void {
  log('building (next build)…');
  const result = spawnSync(NEXT_BIN, ['build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? quiet;
  if (!Number.isInteger(options.instances) || options.instances < 0)
    throw new Error(`instances must be a non-negative integer, got ${options.instances}`);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1)
    throw new Error(`poolSize must be a positive integer, got ${poolSize}`);
  if (options.build) buildApp(log);
  if (options.instances > 0 && !existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('No production build in .next: run `npx next build` first (or drop --no-build).');
  }
  installExitHook();

  const postgres = await startPostgres(options);
  const instances: Managed[] = [];
  let identityEnv: Record<string, string> = {};
  let lb: Haproxy | null = null;
  let nats: NatsServer | null = null;
  let consumer: ConsumerProcess | null = null;
  let stopped = false;
  try {
    await migrate(postgres.ownerUrl, { log });
    if (options.nats) nats = await startNatsServer({ ...options.nats, echo: options.echo });
    for (let index = 0; index < options.instances; index++) {
      const port = options.basePort !== undefined ? options.basePort + index : await freePort();
      const databaseUrl = options.instanceDatabaseUrl?.(index, postgres.url) ?? postgres.url;
      instances.push({
        index,
        port,
        url: `http://127.0.0.1:${port}`,
        databaseUrl,
        alive: false,
        pid: null,
        output: [],
        exit: null,
        errors: newInstanceErrors(),
        notices: { unavailable: 0 },
        child: null,
        exited: Promise.resolve(),
        stopping: false,
      });
    }
    // One identity configuration for every instance: a session made on one is valid on all. Behind
    // HAProxy the balancer's address is the public one (BETTER_AUTH_URL), the instances' stay trusted.
    const lbPort = options.lb ? (options.lb.port ?? (await freePort())) : null;
    const origins = [...(lbPort === null ? [] : [lbPort]), ...instances.map((i) => i.port)].flatMap((port) => [
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
    ]);
    identityEnv = {
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      // The test clients act as proxies: each plays many clients through X-Forwarded-For (sign-ups are
      // limited per address). Storms send far more commands per customer than a person would; the
      // per-customer budgets have a test of their own (test/edge.cluster.test.ts).
      TRUSTED_PROXIES: process.env.TRUSTED_PROXIES || '127.0.0.1,::1',
      IDEM_CUSTOMER_RATE_LIMIT: process.env.IDEM_CUSTOMER_RATE_LIMIT || 'off',
      IDEM_NEW_KEYS_PER_HOUR: process.env.IDEM_NEW_KEYS_PER_HOUR || '100000000',
      IDEM_RECIPIENT_LOOKUP_LIMIT: process.env.IDEM_RECIPIENT_LOOKUP_LIMIT || 'off',
      IDEM_INBOUND_TRANSFERS_PER_HOUR: process.env.IDEM_INBOUND_TRANSFERS_PER_HOUR || 'off',
      ...(origins.length > 0 ? { BETTER_AUTH_URL: origins[0]!, IDEM_TRUSTED_ORIGINS: origins.join(',') } : {}),
      ...(nats ? { NATS_URL: nats.url } : {}),
      ...options.env,
    };
    await Promise.all(instances.map((instance) => launch(instance)));
    if (nats)
      consumer = await startStatementsConsumer({
        natsUrl: nats.url,
        databaseUrl: postgres.ownerUrl,
        appDatabaseUrl: postgres.url,
        echo: options.echo,
      });
    if (options.lb) {
      const servers = instances.map((i) => ({ name: `i${i.index}`, host: '127.0.0.1', port: i.port }));
      lb = await startHaproxy({ port: lbPort!, servers, echo: options.echo });
      log(`HAProxy on ${lb.url} in front of ${servers.length} instance(s)`);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  function launch(instance: Managed): Promise<void> {
    const child = spawn(NEXT_BIN, ['start', '-p', String(instance.port), '-H', '127.0.0.1', ...keepAliveArgs()], {
      cwd: ROOT,
      detached: true, // own process group: kill() reaches everything it forks, Ctrl-C does not bypass our order
      stdio: ['ignore', 'pipe', 'pipe'],
      // NEXT_MANUAL_SIG_HANDLE: SIGTERM drains the instance (lib/process/shutdown.ts), exit 0.
      env: {
        NEXT_MANUAL_SIG_HANDLE: 'true',
        ...process.env,
        ...identityEnv,
        ...options.instanceEnv?.(instance.index),
        NODE_ENV: 'production',
        DATABASE_URL: instance.databaseUrl,
        DATABASE_POOL_SIZE: String(poolSize),
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(instance.port),
      },
    });
    liveChildren.add(child);
    instance.child = child;
    instance.pid = child.pid ?? null;
    instance.alive = true;
    instance.exit = null;
    instance.stopping = false;
    const onLine = (line: string) => {
      instance.output.push(line);
      if (instance.output.length > 5_500) instance.output.splice(0, instance.output.length - 5_000);
      countLine(line, instance.errors, instance.notices);
      if (options.echo) console.log(`[i${instance.index}] ${line}`);
    };
    for (const stream of [child.stdout, child.stderr]) {
      const lines = lineSplitter(onLine);
      stream?.setEncoding('utf8'); // a multi-byte character split across chunks stays whole
      stream?.on('data', (chunk: string) => lines.push(chunk));
      stream?.on('end', () => lines.flush());
    }
    instance.exited = new Promise((resolve) =>
      // 'close' comes after both pipes ended: every line the process printed has been counted.
      child.once('close', (code, signal) => {
        liveChildren.delete(child);
        instance.alive = false;
        instance.exit = { code, signal };
        instance.output.push(`[cluster] exited (${signal ?? code})`);
        if (!instance.stopping) countUnexpectedExit(instance.errors, String(signal ?? code));
        if (!stopped && options.echo) console.log(`[i${instance.index}] exited (${signal ?? code})`);
        resolve();
      }),
    );
    return waitReady(instance, options.readyTimeoutMs ?? 60_000);
  }

  async function waitReady(instance: Managed, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (!instance.alive)
        throw new Error(`instance ${instance.index} exited during start-up:\n${instance.output.slice(-30).join('\n')}`);
      try {
        const response = await fetch(instance.url + PROBE_PATH, {
          headers: PROBE_HEADERS,
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        if (response.status === 401) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(100);
    }
    throw new Error(
      `instance ${instance.index} on ${instance.url} not ready after ${timeoutMs} ms (last: ${last}):\n${instance.output.slice(-30).join('\n')}`,
    );
  }

  async function terminate(instance: Managed, signal: NodeJS.Signals, graceMs: number) {
    const child = instance.child;
    if (!child || !instance.alive) return;
    instance.stopping = true;
    killGroup(child, signal);
    const done = await Promise.race([instance.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      killGroup(child, 'SIGKILL');
      await instance.exited;
    }
  }

  async function stopAll() {
    if (stopped) return;
    stopped = true;
    await lb?.stop();
    await consumer?.stop();
    await Promise.all(instances.map((instance) => terminate(instance, 'SIGTERM', 10_000)));
    await nats?.stop();
    await postgres.stop();
  }

  const get = (index: number) => {
    const instance = instances[index];
    if (!instance) throw new Error(`no instance ${index} (cluster has ${instances.length})`);
    return instance;
  };

  return {
    postgres,
    instances,
    urls: () => instances.map((i) => i.url),
    kill: (index, signal = 'SIGKILL') => terminate(get(index), signal, 10_000),
    restart: async (index) => {
      const instance = get(index);
      if (instance.alive) await terminate(instance, 'SIGTERM', 10_000);
      await launch(instance);
    },
    stop: stopAll,
    get lb() {
      return lb;
    },
    nats,
    consumer,
  };
}
