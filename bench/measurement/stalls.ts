// What else happened while a paced run measured its latencies, to say what a slow tail was: the
// app's longest event-loop stall and its garbage collections (the instance's own Prometheus
// metrics: prom-client's event-loop histogram restarts at every scrape), PostgreSQL's checkpoints,
// the load generator's own event-loop stalls (a late request may be late in the generator), and the
// machine's: time its processes waited for a CPU or for the disk (the kernel's pressure stall
// information, /proc/pressure) and time the hypervisor gave its CPUs to someone else (steal, /proc/stat).
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { TICKS_PER_SECOND } from './cpu';
import pg from 'pg';

export type Stalls = {
  /** The slowest requests: seconds into the run when each was due, and its latency in ms. */
  worst: { atSeconds: number; ms: number }[];
  loaderLagMaxMs: number;
  appLagMaxMs: number | null;
  /** Garbage collections of the app during the run, and those over 100 ms. */
  appGc: {
    count: number;
    over100ms: number;
    maxKind: string | null;
    seconds: number;
    /** Collections and their pause time by V8's kind (minor, major, incremental, weakcb). */
    byKind: Record<string, { count: number; seconds: number }>;
    /** V8's old space in use before and after the run (MB): what the collections had promoted. */
    oldSpaceMb?: { before: number; after: number };
  } | null;
  /** Checkpoints PostgreSQL began during the run (timed and requested). */
  checkpoints: number | null;
  /**
   * What PostgreSQL's busy sessions were waiting on in the half second before the slowest request
   * finished (pg_stat_activity sampled every 50 ms: wait event, or "cpu" for none, and how often).
   */
  waitsBeforeWorst: Record<string, number>;
  /** How long the run waited, before it started, for the log's followers to catch up (followersCaughtUp). */
  followersCaughtUpMs?: number;
  /** The machine over the whole run, and in the half second before the slowest request finished. */
  machine?: { run: MachinePressure; beforeWorst: MachinePressure | null } | null;
};

/**
 * Milliseconds in which some process of the machine waited for a CPU (cpuSome), some waited for the
 * disk (ioSome), every runnable one did (ioFull), and the hypervisor ran another guest on this one's
 * CPUs (steal, summed over CPUs). Cumulative counters: a window's figures are differences.
 */
export type MachinePressure = { cpuSome: number; ioSome: number; ioFull: number; steal: number };

const pressureTotal = (text: string, line: 'some' | 'full') =>
  Number(new RegExp(`^${line} .*total=(\\d+)`, 'm').exec(text)?.[1] ?? NaN) / 1000;

/** The machine's counters now, or null where the kernel has no pressure information. */
export function machinePressure(): MachinePressure | null {
  try {
    const cpu = readFileSync('/proc/pressure/cpu', 'utf8');
    const io = readFileSync('/proc/pressure/io', 'utf8');
    // cpu  user nice system idle iowait irq softirq steal …, in clock ticks
    const steal = Number(readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/)[8] ?? NaN);
    return {
      cpuSome: pressureTotal(cpu, 'some'),
      ioSome: pressureTotal(io, 'some'),
      ioFull: pressureTotal(io, 'full'),
      steal: (steal * 1000) / TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

const pressureBetween = (a: MachinePressure, b: MachinePressure): MachinePressure => ({
  cpuSome: b.cpuSome - a.cpuSome,
  ioSome: b.ioSome - a.ioSome,
  ioFull: b.ioFull - a.ioFull,
  steal: b.steal - a.steal,
});

type WaitSample = { at: number; waits: string[]; machine: MachinePressure | null };

/** Samples pg_stat_activity's busy sessions of this database every `everyMs` until stopped. */
function sampleWaits(databaseUrl: string, everyMs = 50) {
  const samples: WaitSample[] = [];
  const client = new pg.Client({ connectionString: databaseUrl });
  let stopped = false;
  const done = (async () => {
    try {
      await client.connect();
      while (!stopped) {
        const at = performance.now();
        const { rows } = await client.query<{ w: string }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
        );
        samples.push({ at, waits: rows.map((r) => r.w), machine: machinePressure() });
        await new Promise((r) => setTimeout(r, everyMs));
      }
    } catch {
      // A failed sample leaves the report without waits; it never fails the run.
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return samples;
    },
  };
}

type Scrape = Map<string, number>;
const OLD_SPACE = 'nodejs_heap_space_size_used_bytes{space="old"}';
const oldSpaceMb = (s: Scrape) => (s.get(OLD_SPACE) ?? NaN) / 2 ** 20;

async function scrape(url: string, token: string): Promise<Scrape | null> {
  try {
    const res = await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) return null;
    const values = new Map<string, number>();
    for (const line of (await res.text()).split('\n')) {
      if (
        !line.startsWith('nodejs_eventloop_lag_max_seconds') &&
        !line.startsWith('nodejs_gc_duration_seconds') &&
        !line.startsWith(OLD_SPACE)
      )
        continue;
      const at = line.lastIndexOf(' ');
      values.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return values;
  } catch {
    return null;
  }
}

async function checkpointCount(databaseUrl: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    // PostgreSQL 17 moved the counters to pg_stat_checkpointer.
    const q = await client
      .query<{ n: string }>('SELECT (num_timed + num_requested)::text AS n FROM pg_stat_checkpointer')
      .catch(() =>
        client.query<{ n: string }>('SELECT (checkpoints_timed + checkpoints_req)::text AS n FROM pg_stat_bgwriter'),
      );
    return Number(q.rows[0]!.n);
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

const gcKinds = (s: Scrape) =>
  [...s.keys()].filter((k) => k.startsWith('nodejs_gc_duration_seconds_count')).map((k) => /kind="(\w+)"/.exec(k)![1]!);

/** Starts watching; the returned function ends it and summarizes, given the run's worst requests. */
export async function watchStalls(
  app: { url: string; token: string } | null,
  databaseUrl: string,
): Promise<(worst: Stalls['worst'], worstEndedAt?: number) => Promise<Stalls>> {
  const loader = monitorEventLoopDelay({ resolution: 10 });
  const before = app ? await scrape(app.url, app.token) : null; // also restarts the app's lag histogram
  const checkpointsBefore = await checkpointCount(databaseUrl);
  const machineBefore = machinePressure();
  loader.enable();
  const waits = sampleWaits(databaseUrl);
  return async (worst, worstEndedAt) => {
    loader.disable();
    const samples = await waits.stop();
    const machineAfter = machinePressure();
    const waitsBeforeWorst: Record<string, number> = {};
    const window: WaitSample[] = [];
    if (worstEndedAt !== undefined)
      for (const sample of samples)
        if (sample.at >= worstEndedAt - 500 && sample.at <= worstEndedAt) {
          window.push(sample);
          for (const w of sample.waits) waitsBeforeWorst[w] = (waitsBeforeWorst[w] ?? 0) + 1;
        }
    // The window's first and last samples bound what the machine did in it (about 0.45 s of it).
    const [first, last] = [window[0]?.machine, window.at(-1)?.machine];
    const machine =
      machineBefore && machineAfter
        ? {
            run: pressureBetween(machineBefore, machineAfter),
            beforeWorst: first && last && window.length > 1 ? pressureBetween(first, last) : null,
          }
        : null;
    const after = app ? await scrape(app.url, app.token) : null;
    const checkpointsAfter = await checkpointCount(databaseUrl);
    let appGc: Stalls['appGc'] = null;
    if (before && after) {
      const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
      let count = 0;
      let over100ms = 0;
      let seconds = 0;
      let maxKind: string | null = null;
      let maxSeconds = 0;
      const byKind: Record<string, { count: number; seconds: number }> = {};
      for (const kind of gcKinds(after)) {
        const n = delta(`nodejs_gc_duration_seconds_count{kind="${kind}"}`);
        const s = delta(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`);
        if (n > 0) byKind[kind] = { count: n, seconds: s };
        count += n;
        seconds += s;
        over100ms += n - delta(`nodejs_gc_duration_seconds_bucket{le="0.1",kind="${kind}"}`);
        if (n > 0 && s / n > maxSeconds) [maxSeconds, maxKind] = [s / n, kind];
      }
      appGc = {
        count,
        over100ms,
        maxKind,
        seconds,
        byKind,
        oldSpaceMb: { before: oldSpaceMb(before), after: oldSpaceMb(after) },
      };
    }
    return {
      worst,
      loaderLagMaxMs: loader.max / 1e6,
      appLagMaxMs: after ? (after.get('nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000 : null,
      appGc,
      checkpoints:
        checkpointsBefore === null || checkpointsAfter === null ? null : checkpointsAfter - checkpointsBefore,
      waitsBeforeWorst,
      machine,
    };
  };
}

const describePressure = (m: MachinePressure) =>
  `waiting for a CPU ${m.cpuSome.toFixed(0)} ms, for the disk ${m.ioSome.toFixed(0)} ms (all of it ${m.ioFull.toFixed(0)} ms), steal ${m.steal.toFixed(0)} ms`;

export function describeStalls(s: Stalls): string {
  const worst = s.worst.map((w) => `${w.ms.toFixed(0)} ms at ${w.atSeconds.toFixed(1)} s`).join(', ');
  const gc = s.appGc
    ? `${s.appGc.count} GCs (${(s.appGc.seconds * 1000).toFixed(0)} ms: ${Object.entries(s.appGc.byKind ?? {})
        .map(([kind, k]) => `${kind} ${k.count}, ${(k.seconds * 1000).toFixed(0)} ms`)
        .join('; ')}), ${s.appGc.over100ms} over 100 ms` +
      (s.appGc.oldSpaceMb
        ? `, old space ${s.appGc.oldSpaceMb.before.toFixed(1)} → ${s.appGc.oldSpaceMb.after.toFixed(1)} MB`
        : '')
    : 'GC unknown';
  const waits =
    Object.entries(s.waitsBeforeWorst)
      .sort((a, b) => b[1] - a[1])
      .map(([w, n]) => `${w} ×${n}`)
      .join(', ') || 'none busy';
  const waited =
    s.followersCaughtUpMs === undefined
      ? ''
      : `started after ${(s.followersCaughtUpMs / 1000).toFixed(1)} s of waiting for the log's followers; `;
  const machine = s.machine
    ? `; the machine over the run: ${describePressure(s.machine.run)}` +
      (s.machine.beforeWorst
        ? `; in the 0.5 s before the slowest finished: ${describePressure(s.machine.beforeWorst)}`
        : '')
    : '';
  return `${waited}slowest: ${worst}; app event loop max ${s.appLagMaxMs?.toFixed(0) ?? '?'} ms, ${gc}; loader event loop max ${s.loaderLagMaxMs.toFixed(0)} ms; checkpoints ${s.checkpoints ?? '?'}; PostgreSQL sessions in the 0.5 s before the slowest finished: ${waits}${machine}`;
}

/**
 * Waits until every follower of the log (the asynchronous projections and the webhook fan-out) has
 * read it to the end, so a latency run starts in a steady state and not while the instances catch
 * up with what a throughput run just wrote. Returns how long that took (ms; capped at `maxMs`).
 */
export async function followersCaughtUp(databaseUrl: string, maxMs = 60_000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  const started = performance.now();
  try {
    await client.connect();
    while (performance.now() - started < maxMs) {
      const { rows } = await client.query<{ behind: string }>(
        `SELECT (SELECT count(*) FROM events e
                  WHERE EXISTS (SELECT 1 FROM projection_checkpoints p
                                 WHERE (e.transaction_id, e.global_position) > (p.last_transaction_id::xid8, p.last_position))
                     OR EXISTS (SELECT 1 FROM webhook_checkpoint w
                                 WHERE (e.transaction_id, e.global_position) > (w.last_transaction_id::xid8, w.last_position)))::text AS behind`,
      );
      if (rows[0]?.behind === '0') break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await client.end().catch(() => {});
  }
  return performance.now() - started;
}
