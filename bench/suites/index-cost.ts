// What the indexes on `events` cost an append: PostgreSQL CPU per inserted event (the backend's own
// CPU ticks from /proc, so other work on the machine hardly moves it) for the table as migrated,
// with the two admin-only indexes made lean (created_at as BRIN, no (type, global_position)), and
// with no secondary index at all. Bulk inserts of events of the benchmark's shape, rounds
// interleaved; the median per variant is reported.
import { readFileSync } from 'node:fs';
import { withClient } from '../../lib/db/with-client';
import { median } from '../measurement/hdr';
import type { BenchServer } from '../measurement/pg-server';

export type IndexCostRow = { variant: string; indexes: string; cpuUsPerEvent: number; perRound: number[] };
export type IndexCostConfig = { rows: number; rounds: number };

const TABLE = `CREATE TABLE idx_events (global_position bigserial PRIMARY KEY, stream_id text NOT NULL, version int NOT NULL, type text NOT NULL,
  data jsonb NOT NULL, metadata jsonb NOT NULL, command_id varchar(320) NOT NULL, created_at timestamptz(3) NOT NULL,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(), UNIQUE (stream_id, version))`;

const VARIANTS: { variant: string; indexes: string[] }[] = [
  {
    variant: 'as migrated (6 indexes)',
    indexes: ['(command_id)', '(type, global_position)', '(transaction_id, global_position)', '(created_at)'],
  },
  {
    variant: 'admin indexes lean (created_at BRIN, no type index)',
    indexes: ['(command_id)', '(transaction_id, global_position)', 'USING brin (created_at)'],
  },
  { variant: 'primary key and (stream_id, version) only', indexes: [] },
];

const ticksOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

export async function runIndexCost(
  server: BenchServer,
  config: IndexCostConfig,
  log: (line: string) => void,
): Promise<IndexCostRow[] | null> {
  if (!server.embedded) return null; // the backend's /proc entry is only readable for a local server
  const url = await server.freshDatabase('bench_index_cost');
  const perRound = new Map<string, number[]>();
  await withClient(url, async (c) => {
    const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    for (let round = 0; round < config.rounds; round++) {
      for (const { variant, indexes } of VARIANTS) {
        await c.query('DROP TABLE IF EXISTS idx_events');
        await c.query(TABLE);
        for (const index of indexes) await c.query(`CREATE INDEX ON idx_events ${index}`);
        const before = ticksOf(pid);
        await c.query(
          `INSERT INTO idx_events (stream_id, version, type, data, metadata, command_id, created_at)
           SELECT 'account-' || md5((g % 2000)::text), g / 2000 + 1, (ARRAY['MoneyDeposited', 'MoneyWithdrawn'])[1 + g % 2],
                  jsonb_build_object('accountId', md5((g % 2000)::text), 'amountCents', 1, 'currency', 'USD', 'balanceAfterCents', g, 'depositedAt', now()::text),
                  jsonb_build_object('commandId', md5(g::text), 'commandType', 'DepositMoney', 'causationId', md5(g::text), 'correlationId', md5(g::text), 'schemaVersion', 2),
                  md5(g::text), now() + g * interval '1 ms'
             FROM generate_series(0, $1::int - 1) AS g`,
          [config.rows],
        );
        // USER_HZ ticks of 10 ms → µs per event.
        perRound.set(variant, [...(perRound.get(variant) ?? []), ((ticksOf(pid) - before) * 10_000) / config.rows]);
      }
    }
    await c.query('DROP TABLE IF EXISTS idx_events');
  });
  const result = VARIANTS.map(({ variant, indexes }) => ({
    variant,
    indexes: ['pkey', '(stream_id, version)', ...indexes].join(', '),
    cpuUsPerEvent: median(perRound.get(variant)!),
    perRound: perRound.get(variant)!,
  }));
  for (const r of result)
    log(
      `index cost: ${r.variant}: ${r.cpuUsPerEvent.toFixed(1)} µs of PostgreSQL CPU per event (${r.perRound.map((v) => v.toFixed(1)).join(' / ')})`,
    );
  return result;
}
