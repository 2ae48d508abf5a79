// Benchmark 1: the same job (bench/contenders/job.ts: a withdrawal if the balance allows, or a deposit, exactly
// once per command id) for Idem, Emmett's command handler and two hand-written floors, plus blind
// appends (raw pg, Emmett's appendToStream) as a reference; distinct streams and one hot stream, at
// several concurrencies. Repetitions are interleaved (rep 1 of
// every contender, then rep 2, …, in a rotating order) so slow drift on a shared machine spreads
// over all contenders instead of landing on one.
import type { AppendCell, AppendCellResult, ContenderName, StreamMode } from './append-worker';
import { prepareEmmettDatabase } from '../contenders/emmett';
import { preparePgFunctionDatabase } from '../contenders/pg-function';
import { prepareRawDatabase } from '../contenders/raw';
import { decode, median, merge, summarize, type LatencySummary } from '../measurement/hdr';
import { checkpoint, type BenchServer } from '../measurement/pg-server';
import path from 'node:path';
import type { Baseline } from '../measurement/baseline';
import { migrate } from '../../lib/db/migrate';
import { runChild } from '../measurement/spawn';
import { waitForQuiet, type CpuUse } from '../measurement/cpu';

/** The same job first, then the blind-append reference. */
export const SAME_JOB: ContenderName[] = [
  'idem',
  'idem-baseline',
  'idem-variant',
  'emmett-handler',
  'pg-optimistic',
  'pg-function',
  'jetstream',
];
export const BLIND: ContenderName[] = ['raw', 'emmett'];
export const CONTENDERS: ContenderName[] = [...SAME_JOB, ...BLIND];
/** Run unless --contenders says otherwise (the baseline only with --baseline, the variant with --variant). */
export const DEFAULT_CONTENDERS = CONTENDERS.filter((c) => c !== 'idem-baseline' && c !== 'idem-variant');
export const CONTENDER_LABEL: Record<ContenderName, string> = {
  idem: 'Idem (production path)',
  'idem-baseline': 'Idem at the baseline revision',
  'idem-variant': 'Idem, variant',
  'emmett-handler': 'Emmett CommandHandler (no dedup)',
  'pg-optimistic': 'pg optimistic floor (hand-written)',
  'pg-function': 'physical floor (PL/pgSQL, 1 round trip)',
  jetstream: 'JetStream as the event store (conditional append per subject)',
  raw: 'raw pg blind append',
  emmett: 'Emmett appendToStream blind append',
};

export type AppendConfig = {
  concurrencies: number[];
  modes: StreamMode[];
  reps: number;
  warmupMs: number;
  durationMs: number;
  /** Which contenders to run (default: DEFAULT_CONTENDERS). */
  contenders?: ContenderName[];
  /** --baseline: where the 'idem-baseline' contender's checkout is. */
  baseline?: Baseline;
  /** --variant NAME:K=V,…: the 'idem-variant' contender's environment. */
  variant?: { name: string; env: Record<string, string> };
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
  busy: number;
  roundTripsPerOp: number;
  roundTrips: Record<string, number>;
  cpu: CpuUse;
  /** Longest stream at the end of a repetition (max over repetitions), and the mean stream length. */
  streamLength: { max: number; mean: number };
  lengthMismatches: number;
  rssMiB: number;
};

export async function runAppendBench(
  server: BenchServer,
  pgPid: number | null,
  config: AppendConfig,
  log: (line: string) => void,
): Promise<AppendRow[]> {
  const contenders = config.contenders ?? DEFAULT_CONTENDERS;
  if (contenders.includes('idem-baseline') && !config.baseline)
    throw new Error('contender idem-baseline needs --baseline REV');
  if (contenders.includes('idem-variant') && !config.variant)
    throw new Error('contender idem-variant needs --variant NAME:K=V,…');
  const urls = {} as Record<ContenderName, string>;
  for (const contender of contenders) {
    const url = await server.freshDatabase(`bench_${contender.replace(/-/g, '_')}`);
    urls[contender] = url;
    if (contender === 'raw') await prepareRawDatabase(url);
    else if (contender === 'emmett' || contender === 'emmett-handler') await prepareEmmettDatabase(url);
    else if (contender === 'pg-function') await preparePgFunctionDatabase(url);
    else if (contender === 'idem-baseline')
      await migrate(url, { migrationsDir: path.join(config.baseline!.dir, 'prisma', 'migrations') });
    else await migrate(url);
  }

  const cells: AppendCell[] = config.modes.flatMap((mode) =>
    config.concurrencies.map((concurrency) => ({ mode, concurrency })),
  );
  const all: AppendCellResult[] = [];
  for (let rep = 0; rep < config.reps; rep++) {
    const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length]!);
    for (const contender of order) {
      await checkpoint(urls[contender]);
      if (config.quiet) await waitForQuiet(pgPid, { ...config.quiet, log });
      log(
        `append: rep ${rep + 1}/${config.reps}, ${CONTENDER_LABEL[contender]} (${cells.length} cells × ${(config.warmupMs + config.durationMs) / 1000} s)`,
      );
      const results = await runChild<AppendCellResult[]>(
        'suites/append-worker.ts',
        {
          contender,
          url: urls[contender],
          cells,
          warmupMs: config.warmupMs,
          durationMs: config.durationMs,
          rep,
          pgPid,
          env: contender === 'idem-variant' ? config.variant?.env : undefined,
        },
        undefined,
        contender === 'idem-baseline' ? config.baseline!.dir : undefined,
      );
      for (const r of results) {
        log(
          `  ${r.mode.padEnd(8)} c=${String(r.concurrency).padStart(2)}  ${r.opsPerSecond.toFixed(0).padStart(6)} ops/s  p99 ${summarize(decode(r.histogram)).p99.toFixed(1)} ms  conflicts ${r.conflicts}  busy ${r.busy}  rt/op ${r.roundTripsPerOp.toFixed(2)}  stream ${r.streamLength.max}  cpu pg ${r.cpu.postgres.toFixed(2)} client ${r.cpu.client.toFixed(2)} other ${r.cpu.other.toFixed(2)}${r.lengthMismatches ? `  LENGTH MISMATCH in ${r.lengthMismatches} stream(s)` : ''}`,
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
      busy: rs.reduce((a, r) => a + r.busy, 0),
      roundTripsPerOp: median(rs.map((r) => r.roundTripsPerOp)),
      roundTrips: Object.fromEntries([...kinds].map((k) => [k, median(rs.map((r) => r.roundTrips[k] ?? 0))])),
      cpu: {
        machine: median(rs.map((r) => r.cpu.machine)),
        postgres: median(rs.map((r) => r.cpu.postgres)),
        client: median(rs.map((r) => r.cpu.client)),
        other: median(rs.map((r) => r.cpu.other)),
      },
      streamLength: {
        max: Math.max(...rs.map((r) => r.streamLength.max)),
        mean: median(rs.map((r) => r.streamLength.mean)),
      },
      lengthMismatches: rs.reduce((a, r) => a + r.lengthMismatches, 0),
      rssMiB: Math.max(...rs.map((r) => r.rssMiB)),
    };
  });
}
