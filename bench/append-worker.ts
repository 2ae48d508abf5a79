// Child process: runs the append cells of ONE contender and writes the results as JSON. Each
// contender runs in a process of its own: Emmett's driver (dumbo) replaces pg's global type parsers
// for int8/json/jsonb, which would change what Prisma's adapter returns in the same process, and a
// fresh process keeps one contender's JIT and GC state out of another's numbers.
import { writeFileSync } from 'node:fs';
import { closedLoop } from './closed-loop';
import { emmettAppender } from './contender-emmett';
import { idemAppender } from './contender-idem';
import { rawAppender, type Appender } from './contender-raw';
import { countQueries, newTally } from './counting-pg';
import { cpuBetween, sampleCpu, type CpuUse } from './cpu';
import { encode } from './hdr';
import { exitAfter } from './spawn';

export type ContenderName = 'raw' | 'emmett' | 'idem' | 'idem-snap100' | 'idem-unprepared';
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
  out: string;
};

export type AppendCellResult = AppendCell & {
  contender: ContenderName;
  rep: number;
  ops: number;
  opsPerSecond: number;
  conflicts: number;
  failed: number;
  /** Round trips per completed append (all statements / all appends of the cell, warm-up included). */
  roundTrips: Record<string, number>;
  roundTripsPerOp: number;
  cpu: CpuUse;
  histogram: string;
};

function appenderFor(spec: AppendSpec, poolSize: number): Appender & { open?: (key: string) => Promise<void> } {
  switch (spec.contender) {
    case 'raw':
      return rawAppender(spec.url, poolSize);
    case 'emmett':
      return emmettAppender(spec.url, poolSize);
    case 'idem':
      // As shipped: production's snapshot interval, prepared statements, handler.
      return idemAppender(spec.url, poolSize);
    case 'idem-snap100':
      // The previous default interval: each load folds up to 99 events instead of up to 9.
      return idemAppender(spec.url, poolSize, { snapshotEvery: 100 });
    case 'idem-unprepared':
      // IDEM_PREPARED_STATEMENTS=off (set for this process by main()).
      return idemAppender(spec.url, poolSize);
  }
}

async function main() {
  const spec = JSON.parse(process.env.BENCH_SPEC ?? '') as AppendSpec;
  if (spec.contender === 'idem-unprepared') process.env.IDEM_PREPARED_STATEMENTS = 'off';
  const results: AppendCellResult[] = [];
  for (const cell of spec.cells) {
    const tally = newTally();
    countQueries(tally);
    // One pooled connection per writer, as every contender gets.
    const appender = appenderFor(spec, cell.concurrency);
    const keyOf = (worker: number) => (cell.mode === 'hot' ? `hot-r${spec.rep}-c${cell.concurrency}` : `s-r${spec.rep}-c${cell.concurrency}-w${worker}`);
    const keys = [...new Set(Array.from({ length: cell.concurrency }, (_, w) => keyOf(w)))];
    for (const key of keys) await appender.open?.(key);
    tally.clear();
    let opened = sampleCpu(spec.pgPid);
    let closed = opened;
    const loop = await closedLoop({
      concurrency: cell.concurrency,
      warmupMs: spec.warmupMs,
      durationMs: spec.durationMs,
      op: (worker) => appender.append(keyOf(worker), worker),
      onWindow: (edge) => (edge === 'open' ? (opened = sampleCpu(spec.pgPid)) : (closed = sampleCpu(spec.pgPid))),
    });
    await appender.close();
    const statements = [...tally.values()].reduce((a, b) => a + b, 0);
    results.push({
      ...cell,
      contender: spec.contender,
      rep: spec.rep,
      ops: loop.ops,
      opsPerSecond: loop.opsPerSecond,
      conflicts: loop.conflicts,
      failed: loop.failed,
      roundTrips: Object.fromEntries([...tally].map(([k, v]) => [k, v / loop.allOps])),
      roundTripsPerOp: statements / loop.allOps,
      cpu: cpuBetween(opened, closed),
      histogram: encode(loop.latency),
    });
  }
  writeFileSync(spec.out, JSON.stringify(results));
}

exitAfter(main);
