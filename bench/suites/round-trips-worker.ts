// Child process for benchmark 2: SQL statements (= round trips) per Idem command, counted by a pg
// Client subclass, per command and by kind, cross-checked against pg_stat_statements when the
// server preloads it. Scenarios: uncontended (one writer), replay (same command id again), and
// contended (N concurrent writers on one account, a fixed number of commands).
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { openAccount } from '../contenders/idem';
import { countQueries, newTally, pauseCounting, perOperation, total } from '../measurement/counting-pg';
import { createPrismaClient, handleAccountCommand } from '../idem-adapter';
import { moneyCommand } from '../contenders/job';
import type { AccountId } from '../../lib/accounts/domain/account-id';
import { median } from '../measurement/hdr';

export type RoundTripSpec = {
  url: string;
  statStatements: boolean;
  commands: number;
  contenders: number[];
  out: string;
};

export type RoundTripRow = {
  scenario: string;
  commands: number;
  perCommand: { mean: number; p50: number; max: number };
  byKind: Record<string, number>;
  /** Statements per command according to pg_stat_statements (null when unavailable). */
  pgStatStatements: number | null;
  /** How often PostgreSQL planned the engine's load and commit statements, per execution (pg_stat_statements.track_planning). */
  planned: { load: number | null; commit: number | null } | null;
  conflicts: number;
  busy: number;
};

async function statementsInDb(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT COALESCE(sum(calls), 0)::text AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND s.query NOT ILIKE '%pg_stat_statements%'`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Plans per call of the statements that start with each prefix (custom plans are planned on every run). */
async function plannedPerCall(url: string): Promise<{ load: number | null; commit: number | null }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ load: string | null; commit: string | null }>(
      `SELECT sum(plans) FILTER (WHERE query LIKE 'WITH usable AS%')::float8 / NULLIF(sum(calls) FILTER (WHERE query LIKE 'WITH usable AS%'), 0) AS load,
              sum(plans) FILTER (WHERE query LIKE 'WITH new_events AS%')::float8 / NULLIF(sum(calls) FILTER (WHERE query LIKE 'WITH new_events AS%'), 0) AS commit
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()`,
    );
    const n = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
    return { load: n(rows[0]?.load), commit: n(rows[0]?.commit) };
  } finally {
    await client.end();
  }
}

async function resetStatements(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_stat_statements_reset()');
  } finally {
    await client.end();
  }
}

async function main() {
  const spec = JSON.parse(process.env.BENCH_SPEC ?? '') as RoundTripSpec;
  const rows: RoundTripRow[] = [];
  type Db = ReturnType<typeof createPrismaClient>;
  type Stats = { conflicts: number; busy: number };
  const scenario = async (
    name: string,
    writers: number,
    run: (
      db: Db,
      accountId: AccountId,
      record: (n: number) => void,
      stats: Stats,
      prepared: ReturnType<typeof moneyCommand>[],
    ) => Promise<void>,
    prepare?: (db: Db, accountId: AccountId) => Promise<ReturnType<typeof moneyCommand>[]>,
  ) => {
    const tally = newTally();
    countQueries(tally);
    const db = createPrismaClient(spec.url, Math.max(2, writers));
    const accountId = await openAccount(db);
    // Warm the pool and Prisma's query cache, then count from zero.
    await handleAccountCommand(moneyCommand(accountId, 0), { db });
    const prepared = prepare ? await prepare(db, accountId) : [];
    tally.clear();
    if (spec.statStatements) await pauseCounting(() => resetStatements(spec.url));
    const perCommand: number[] = [];
    const stats = { conflicts: 0, busy: 0 };
    await run(db, accountId, (n) => perCommand.push(n), stats, prepared);
    const viaServer = spec.statStatements ? await pauseCounting(() => statementsInDb(spec.url)) : null;
    const planned = spec.statStatements ? await pauseCounting(() => plannedPerCall(spec.url)) : null;
    await db.$disconnect();
    const n = perCommand.length;
    rows.push({
      scenario: name,
      commands: n,
      perCommand: { mean: total(tally) / n, p50: median(perCommand), max: Math.max(...perCommand) },
      byKind: Object.fromEntries([...tally].map(([k, v]) => [k, v / n])),
      // The reset itself is counted by the server; leave it out.
      pgStatStatements: viaServer === null ? null : Math.max(0, viaServer - 1) / n,
      planned,
      conflicts: stats.conflicts,
      busy: stats.busy,
    });
  };
  const one = async (db: Db, command: ReturnType<typeof moneyCommand>, record: (n: number) => void, stats: Stats) => {
    const counter = { queries: 0 };
    const result = await perOperation.run(counter, () =>
      handleAccountCommand(command, { db, onConflict: () => void stats.conflicts++ }),
    );
    if (result.status === 'busy') stats.busy++;
    record(counter.queries);
    return result;
  };

  await scenario('uncontended (1 writer)', 1, async (db, accountId, record, stats) => {
    for (let i = 0; i < spec.commands; i++) await one(db, moneyCommand(accountId, i), record, stats);
  });
  await scenario(
    'replay (same command id again)',
    1,
    async (db, _accountId, record, stats, prepared) => {
      for (const command of prepared) await one(db, command, record, stats);
    },
    async (db, accountId) => {
      const commands = Array.from({ length: spec.commands }, (_, i) => moneyCommand(accountId, i));
      for (const command of commands) await handleAccountCommand(command, { db });
      return commands;
    },
  );
  for (const writers of spec.contenders) {
    await scenario(`contended (${writers} writers, one account)`, writers, async (db, accountId, record, stats) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < spec.commands) await one(db, moneyCommand(accountId, next++), record, stats);
        }),
      );
    });
  }
  writeFileSync(spec.out, JSON.stringify(rows));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
