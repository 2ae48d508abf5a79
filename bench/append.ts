// Benchmark 1: one event per append, distinct streams and one hot stream, at several concurrencies,
// for the raw pg floor, Emmett and Idem's full command path. Repetitions are interleaved (rep 1 of
// every contender, then rep 2, …, in a rotating order) so slow drift on a shared machine spreads
// over all contenders instead of landing on one.
import type { AppendCell, AppendCellResult, ContenderName, StreamMode } from './append-worker';
import { prepareEmmettDatabase } from './contender-emmett';
import { prepareRawDatabase } from './contender-raw';
import { decode, median, merge, summarize, type LatencySummary } from './hdr';
import { checkpoint, type BenchServer } from './pg-server';
import { migrate } from '../lib/db/migrate';
import { runChild } from './spawn';
import { waitForQuiet, type CpuUse } from './cpu';

export const CONTENDERS: ContenderName[] = ['raw', 'emmett', 'idem', 'idem-snap100', 'idem-unprepared'];
export const CONTENDER_LABEL: Record<ContenderName, string> = {
  raw: 'raw pg (floor)',
  emmett: 'Emmett appendToStream',
  idem: 'Idem command path',
  'idem-snap100': 'Idem, snapshotEvery 100',
  'idem-unprepared': 'Idem, unprepared statements',
};

export type AppendConfig = {
  concurrencies: number[];
  modes: StreamMode[];
  reps: number;
  warmupMs: number;
  durationMs: number;
  /** Which contenders to run (default: all of CONTENDERS). */
  contenders?: ContenderName[];
  /** Wait for the rest of the machine to quieten before each contender's run (null: never wait). */
  quiet: { maxOtherCores: number; maxWaitMs: number } | null;
};

export type AppendRow = {
  contender: ContenderName;
  mode: StreamMode;
  concurrency: number;
  /** Median over repetitions. */
  opsPerSecond: number;
  perRep: number[];
  latency: LatencySummary;
  conflictsPerOp: number;
  failed: number;
  roundTripsPerOp: number;
  roundTrips: Record<string, number>;
  cpu: CpuUse;
};

export async function runAppendBench(server: BenchServer, pgPid: number | null, config: AppendConfig, log: (line: string) => void): Promise<AppendRow[]> {
  const contenders = config.contenders ?? CONTENDERS;
  const urls = {} as Record<ContenderName, string>;
  for (const contender of contenders) {
    const url = await server.freshDatabase(`bench_${contender.replace(/-/g, '_')}`);
    urls[contender] = url;
    if (contender === 'raw') await prepareRawDatabase(url);
    else if (contender === 'emmett') await prepareEmmettDatabase(url);
    else await migrate(url);
  }

  const cells: AppendCell[] = config.modes.flatMap((mode) => config.concurrencies.map((concurrency) => ({ mode, concurrency })));
  const all: AppendCellResult[] = [];
  for (let rep = 0; rep < config.reps; rep++) {
    const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length]!);
    for (const contender of order) {
      await checkpoint(urls[contender]);
      if (config.quiet) await waitForQuiet(pgPid, { ...config.quiet, log });
      log(`append: rep ${rep + 1}/${config.reps}, ${CONTENDER_LABEL[contender]} (${cells.length} cells × ${(config.warmupMs + config.durationMs) / 1000} s)`);
      const results = await runChild<AppendCellResult[]>('append-worker.ts', {
        contender,
        url: urls[contender],
        cells,
        warmupMs: config.warmupMs,
        durationMs: config.durationMs,
        rep,
        pgPid,
      });
      for (const r of results) {
        log(
          `  ${r.mode.padEnd(8)} c=${String(r.concurrency).padStart(2)}  ${r.opsPerSecond.toFixed(0).padStart(6)} appends/s  conflicts ${r.conflicts}  rt/op ${r.roundTripsPerOp.toFixed(2)}  cpu pg ${r.cpu.postgres.toFixed(2)} client ${r.cpu.client.toFixed(2)} other ${r.cpu.other.toFixed(2)}`,
        );
      }
      all.push(...results);
    }
  }
  return aggregate(all);
}

function aggregate(all: AppendCellResult[]): AppendRow[] {
  const groups = new Map<string, AppendCellResult[]>();
  for (const r of all) {
    const key = `${r.contender}|${r.mode}|${r.concurrency}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const first = rs[0]!;
    const ops = rs.reduce((a, r) => a + r.ops, 0);
    const kinds = new Set(rs.flatMap((r) => Object.keys(r.roundTrips)));
    return {
      contender: first.contender,
      mode: first.mode,
      concurrency: first.concurrency,
      opsPerSecond: median(rs.map((r) => r.opsPerSecond)),
      perRep: rs.map((r) => r.opsPerSecond),
      latency: summarize(merge(rs.map((r) => decode(r.histogram)))),
      conflictsPerOp: rs.reduce((a, r) => a + r.conflicts, 0) / Math.max(1, ops),
      failed: rs.reduce((a, r) => a + r.failed, 0),
      roundTripsPerOp: median(rs.map((r) => r.roundTripsPerOp)),
      roundTrips: Object.fromEntries([...kinds].map((k) => [k, median(rs.map((r) => r.roundTrips[k] ?? 0))])),
      cpu: {
        machine: median(rs.map((r) => r.cpu.machine)),
        postgres: median(rs.map((r) => r.cpu.postgres)),
        client: median(rs.map((r) => r.cpu.client)),
        other: median(rs.map((r) => r.cpu.other)),
      },
    };
  });
}
