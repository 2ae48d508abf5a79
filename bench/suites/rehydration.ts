// Benchmark 3 (parent side): runs bench/suites/rehydration-worker.ts on a fresh database and summarizes.
import { migrate } from '../../lib/db/migrate';
import { decode, summarize, type LatencySummary } from '../measurement/hdr';
import type { BenchServer } from '../measurement/pg-server';
import type { LoadPlan, RehydrationResult, RehydrationSpec } from './rehydration-worker';
import { runChild } from '../measurement/spawn';

export type RehydrationConfig = Omit<RehydrationSpec, 'url' | 'out'>;
export type RehydrationRowSummary = {
  length: number;
  snapshots: boolean;
  samples: number;
  seedSeconds: number;
  latency: LatencySummary;
};

export async function runRehydrationBench(
  server: BenchServer,
  config: RehydrationConfig,
  log: (line: string) => void,
): Promise<{ rows: RehydrationRowSummary[]; plans: LoadPlan[] }> {
  const url = await server.freshDatabase('bench_rehydration');
  await migrate(url);
  log(
    `rehydration: streams of ${config.lengths.join(', ')} events, with a snapshot ${config.snapshotTail} events behind the head and without`,
  );
  const result = await runChild<RehydrationResult>('suites/rehydration-worker.ts', { ...config, url });
  const rows = result.rows.map((r) => ({
    length: r.length,
    snapshots: r.snapshots,
    samples: r.samples,
    seedSeconds: r.seedSeconds,
    latency: summarize(decode(r.histogram)),
  }));
  for (const r of rows)
    log(
      `  ${String(r.length).padStart(6)} events ${r.snapshots ? 'with snapshot   ' : 'without snapshot'}  p50 ${r.latency.p50.toFixed(2)} ms  p99 ${r.latency.p99.toFixed(2)} ms  (n=${r.samples})`,
    );
  return { rows, plans: result.plans };
}
