// Child process: runs the append cells of ONE contender and writes the results as JSON. Each
// contender runs in a process of its own: Emmett's driver (dumbo) replaces pg's global type parsers
// for int8/json/jsonb, which would change what Prisma's adapter returns in the same process, and a
// fresh process keeps one contender's JIT and GC state out of another's numbers.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { closedLoop } from '../measurement/closed-loop';
import { emmettAppender } from '../contenders/emmett';
import { emmettHandlerAppender } from '../contenders/emmett-handler';
import { idemAppender } from '../contenders/idem';
import { jetstreamAppender } from '../contenders/jetstream';
import { pgFunctionAppender } from '../contenders/pg-function';
import { pgOptimisticAppender } from '../contenders/pg-optimistic';
import { rawAppender } from '../contenders/raw';
import { countQueries, newTally, pauseCounting } from '../measurement/counting-pg';
import { cpuBetween, sampleCpu, type CpuUse } from '../measurement/cpu';
import { encode } from '../measurement/hdr';
import type { Appender } from '../contenders/job';
import { exitAfter } from '../measurement/spawn';

/** The same job: Idem, Emmett's command handler and the two hand-written floors. Blind appends: raw pg and Emmett's appendToStream. */
/**
 * 'idem-baseline': Idem at another git revision (bench/measurement/baseline.ts), run from that checkout;
 * 'idem-variant': Idem with the environment of --variant (e.g. another IDEM_SNAPSHOT_EVERY).
 */
export type ContenderName =
  | 'idem'
  | 'idem-baseline'
  | 'idem-variant'
  | 'emmett-handler'
  | 'pg-optimistic'
  | 'pg-function'
  | 'jetstream'
  | 'raw'
  | 'emmett';
export type StreamMode = 'distinct' | 'hot';
export type AppendCell = { mode: StreamMode; concurrency: number };

export type AppendSpec = {
  contender: ContenderName;
  url: string;
  cells: AppendCell[];
  warmupMs: number;
  durationMs: number;
  /** Label of this repetition, to keep stream names apart across processes. */
  rep: number;
  pgPid: number | null;
  /** Environment for this contender's process (the 'idem-variant' settings). */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of each cell's measured window to `${profile}-<mode>-<writers>.cpuprofile`. */
  profile?: string;
  out: string;
};

export type AppendCellResult = AppendCell & {
  contender: ContenderName;
  rep: number;
  ops: number;
  opsPerSecond: number;
  conflicts: number;
  failed: number;
  busy: number;
  /** Round trips per completed append (all statements / all appends of the cell, warm-up included). */
  roundTrips: Record<string, number>;
  roundTripsPerOp: number;
  cpu: CpuUse;
  histogram: string;
  /** Events in the cell's streams at its end: the longest, and the mean over its streams. */
  streamLength: { max: number; mean: number };
  /** Streams whose growth differs from the operations that reported success (must be 0: exactly once). */
  lengthMismatches: number;
  /** Resident memory of this process at the end of the cell (MiB). */
  rssMiB: number;
};

function appenderFor(spec: AppendSpec, poolSize: number): Appender {
  switch (spec.contender) {
    case 'idem':
    case 'idem-baseline':
    case 'idem-variant':
      // As shipped: production's snapshot interval, prepared statements, handler.
      return idemAppender(spec.url, poolSize);
    case 'emmett-handler':
      return emmettHandlerAppender(spec.url, poolSize);
    case 'pg-optimistic':
      return pgOptimisticAppender(spec.url, poolSize);
    case 'pg-function':
      return pgFunctionAppender(spec.url, poolSize);
    case 'jetstream':
      return jetstreamAppender();
    case 'raw':
      return rawAppender(spec.url, poolSize);
    case 'emmett':
      return emmettAppender(spec.url, poolSize);
  }
}

/** Samples this process's CPU (every 200 µs) between start() and stop(): the measured window only. */
async function profiler(): Promise<{ start: () => Promise<void>; stop: (file: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  return {
    start: () => session.post('Profiler.start'),
    stop: async (file) => writeFileSync(file, JSON.stringify((await session.post('Profiler.stop')).profile)),
  };
}

async function main() {
  const spec = JSON.parse(process.env.BENCH_SPEC ?? '') as AppendSpec;
  Object.assign(process.env, spec.env ?? {});
  const results: AppendCellResult[] = [];
  const profile = spec.profile ? await profiler() : null;
  let profiling: Promise<void> = Promise.resolve();
  for (const cell of spec.cells) {
    const tally = newTally();
    countQueries(tally);
    // One pooled connection per writer, as every contender gets.
    const appender = appenderFor(spec, cell.concurrency);
    const keyOf = (worker: number) =>
      cell.mode === 'hot' ? `hot-r${spec.rep}-c${cell.concurrency}` : `s-r${spec.rep}-c${cell.concurrency}-w${worker}`;
    const keys = [...new Set(Array.from({ length: cell.concurrency }, (_, w) => keyOf(w)))];
    const before = new Map<string, number>();
    const landed = new Map<string, number>();
    await pauseCounting(async () => {
      for (const key of keys) await appender.open?.(key);
      for (const key of keys) before.set(key, await appender.streamLength(key));
    });
    tally.clear();
    let opened = sampleCpu(spec.pgPid);
    let closed = opened;
    const loop = await closedLoop({
      concurrency: cell.concurrency,
      warmupMs: spec.warmupMs,
      durationMs: spec.durationMs,
      op: async (worker, seq) => {
        const outcome = await appender.append(keyOf(worker), worker, seq);
        if (!outcome.failed) landed.set(keyOf(worker), (landed.get(keyOf(worker)) ?? 0) + 1);
        return outcome;
      },
      onWindow: (edge) => {
        if (edge === 'open') opened = sampleCpu(spec.pgPid);
        else closed = sampleCpu(spec.pgPid);
        if (profile)
          profiling =
            edge === 'open'
              ? profile.start()
              : profile.stop(`${spec.profile}-${cell.mode}-${cell.concurrency}.cpuprofile`);
      },
    });
    await profiling;
    const statements = [...tally.values()].reduce((a, b) => a + b, 0);
    const roundTrips = Object.fromEntries([...tally].map(([k, v]) => [k, v / loop.allOps]));
    const lengths = await pauseCounting(() => Promise.all(keys.map((key) => appender.streamLength(key))));
    const lengthMismatches = keys.filter(
      (key, i) => lengths[i] !== (before.get(key) ?? 0) + (landed.get(key) ?? 0),
    ).length;
    await appender.close();
    results.push({
      ...cell,
      contender: spec.contender,
      rep: spec.rep,
      ops: loop.ops,
      opsPerSecond: loop.opsPerSecond,
      conflicts: loop.conflicts,
      failed: loop.failed,
      busy: loop.busy,
      roundTrips,
      roundTripsPerOp: statements / loop.allOps,
      cpu: cpuBetween(opened, closed),
      histogram: encode(loop.latency),
      streamLength: { max: Math.max(...lengths), mean: lengths.reduce((a, b) => a + b, 0) / lengths.length },
      lengthMismatches,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    });
  }
  writeFileSync(spec.out, JSON.stringify(results));
}

exitAfter(main);
