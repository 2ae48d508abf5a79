// Child process for benchmark 3: command latency (one writer, sequential deposits/withdrawals) on
// streams of several lengths, with a snapshot `tail` events behind the head (handler run with
// snapshotEvery > 0) and without snapshots (snapshotEvery = 0: the whole stream is read). Also
// EXPLAIN ANALYZE of the load statement (as the handler sent it) on the shortest and longest stream.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPrismaClient, handleAccountCommand, snapshotEvery } from '../idem-adapter';
import { moneyCommand } from '../contenders/job';
import { countQueries, newTally } from '../measurement/counting-pg';
import { encode, histogram, median } from '../measurement/hdr';
import { seedStream } from '../contenders/seed';

export type RehydrationSpec = {
  url: string;
  lengths: number[];
  /** Interval of the "with snapshots" runs; default production's (snapshotEvery(), bench/idem-adapter.ts). */
  snapshotEvery?: number;
  snapshotTail: number;
  /** Commands measured per (length, snapshots) pair; `samplesWithoutSnapshots[i]` for lengths[i]. */
  samples: number;
  samplesWithoutSnapshots: number[];
  out: string;
};

export type RehydrationRow = {
  length: number;
  snapshots: boolean;
  samples: number;
  histogram: string;
  seedSeconds: number;
};
export type LoadPlan = { label: string; length: number; executionMs: number; medianMs: number; plan: string };
export type RehydrationResult = { rows: RehydrationRow[]; plans: LoadPlan[] };

async function main() {
  const spec = JSON.parse(process.env.BENCH_SPEC ?? '') as RehydrationSpec;
  const rows: RehydrationRow[] = [];
  const captured: { text: string; values: unknown[]; length: number; snapshots: boolean }[] = [];
  let current = { length: 0, snapshots: false };
  const tally = newTally();
  countQueries(tally, (kind, text, values) => {
    if (kind.startsWith('load')) captured.push({ text, values, ...current });
  });
  const db = createPrismaClient(spec.url, 2);
  const every = spec.snapshotEvery ?? snapshotEvery();

  for (const [index, length] of spec.lengths.entries()) {
    for (const snapshots of [true, false]) {
      const t0 = performance.now();
      const seeded = await seedStream(spec.url, length, snapshots ? spec.snapshotTail : null);
      const seedSeconds = (performance.now() - t0) / 1000;
      const interval = snapshots ? every : 0;
      const samples = snapshots ? spec.samples : (spec.samplesWithoutSnapshots[index] ?? spec.samples);
      current = { length, snapshots };
      // One unmeasured command: warms the connection, the plan cache and the stream's pages.
      await handleAccountCommand(moneyCommand(seeded.accountId, 1), { db, snapshotEvery: interval });
      const h = histogram();
      for (let i = 0; i < samples; i++) {
        const command = moneyCommand(seeded.accountId, i);
        const start = performance.now();
        const result = await handleAccountCommand(command, { db, snapshotEvery: interval });
        h.recordValue(Math.max(1, Math.round((performance.now() - start) * 1000)));
        if (result.status !== 'accepted') throw new Error(`length ${length}: ${JSON.stringify(result)}`);
      }
      rows.push({ length, snapshots, samples, histogram: encode(h), seedSeconds });
    }
  }
  await db.$disconnect();
  writeFileSync(spec.out, JSON.stringify({ rows, plans: await explain(spec, captured) } satisfies RehydrationResult));
}

/** EXPLAIN ANALYZE of the last captured load (with snapshots) on the shortest and longest stream, as sent. */
async function explain(
  spec: RehydrationSpec,
  captured: { text: string; values: unknown[]; length: number; snapshots: boolean }[],
): Promise<LoadPlan[]> {
  const client = new pg.Client({ connectionString: spec.url });
  await client.connect();
  const plans: LoadPlan[] = [];
  try {
    const lengths = [Math.min(...spec.lengths), Math.max(...spec.lengths)];
    for (const length of lengths) {
      const last = captured.filter((c) => c.length === length && c.snapshots).at(-1);
      if (!last) continue;
      for (const [label, text] of [['as sent', last.text]] as const) {
        const times: number[] = [];
        for (let i = 0; i < 30; i++) {
          const t0 = performance.now();
          await client.query(text, last.values);
          times.push(performance.now() - t0);
        }
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`,
          last.values,
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
        plans.push({ label, length, executionMs, medianMs: median(times), plan });
      }
    }
  } finally {
    await client.end();
  }
  return plans;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
