// "This request changed nothing", checked on every table of the database: each table (listed from
// information_schema, so a table added later is covered without editing this file) is reduced to
// its row count and an md5 of its sorted rows, in one query. A few columns and tables change on
// every request or in the background, whatever the request's answer; they are left out, each for
// the reason given below.
import type pg from 'pg';
import { FOLLOWER_CURSORS } from '@/test/table-dump';

/** Columns that change on any authenticated request (or any replay), never a ledger or identity fact. */
const VOLATILE_COLUMNS: Record<string, string[]> = {
  // better-auth's per-key request limit counts every verified request on the key's row.
  api_keys: ['request_count', 'last_request', 'remaining', 'last_refill_at', 'updated_at'],
  // better-auth moves a session's idle expiry (at most once a minute: lib/auth/policy.ts) on whichever
  // authenticated request comes after that minute, a read or a refusal too.
  sessions: ['expires_at', 'updated_at'],
};

/**
 * Tables the asynchronous projection runner (lib/projections/runner.ts) and the log's other followers
 * (the webhook fan-out's and the relay's cursors) write in the background, catching up with events
 * committed by earlier 2xx requests: their changes during a 4xx belong to an earlier request, not to it.
 */
const BACKGROUND_TABLES = ['projection_checkpoints', 'daily_account_totals', ...Object.keys(FOLLOWER_CURSORS)];

/**
 * Tables that count requests rather than hold facts (the per-customer API budgets,
 * lib/http/api-limits.ts): every request moves them, a refused one too — that is their purpose.
 */
const REQUEST_COUNTER_TABLES = ['api_rate_limits'];

/**
 * A replay (same key, same request) is counted for operators (lib/event-store/load.ts countReplay);
 * the stored outcome itself is in `commands`, which the snapshot compares.
 */
const REPLAY_COUNTER_TABLES = ['command_replays'];

/**
 * What a page view records by design: how far the owner has seen each account's history (the "New"
 * marks, lib/live/seen.ts). A view state of the reader, not a ledger or identity fact.
 */
const VIEW_STATE_TABLES = ['account_seen'];

type TableDigest = { count: number; digest: string | null };
export type Snapshot = Record<string, TableDigest>;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The one query that digests every table; built once (tables and columns do not change during a run). */
export async function snapshotQuery(db: pg.Client): Promise<{ sql: string; tables: string[] }> {
  const { rows } = await db.query<{ table_name: string; columns: string[] }>(
    `SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      GROUP BY c.table_name ORDER BY c.table_name`,
  );
  const tables = rows.filter(
    (r) =>
      ![...BACKGROUND_TABLES, ...REQUEST_COUNTER_TABLES, ...REPLAY_COUNTER_TABLES, ...VIEW_STATE_TABLES].includes(
        r.table_name,
      ),
  );
  const parts = tables.map(({ table_name: table, columns }) => {
    const kept = columns.filter((c) => !(VOLATILE_COLUMNS[table] ?? []).includes(c)).map(quote);
    // A command row may be excluded by id (the one a business rejection is allowed to add).
    const except = table === 'commands' ? 'WHERE command_id IS DISTINCT FROM $1::text' : '';
    return `SELECT ${db.escapeLiteral(table)} AS t, count(*)::int AS n,
                   md5(string_agg(r::text, E'\\n' ORDER BY r::text)) AS d
              FROM (SELECT ${kept.join(', ')} FROM ${quote(table)} ${except}) r`;
  });
  return { sql: parts.join('\nUNION ALL\n'), tables: tables.map((t) => t.table_name) };
}

/** Every table's digest; the commands row of `exceptCommandId`, if any, left out. */
export async function snapshot(db: pg.Client, sql: string, exceptCommandId: string | null = null): Promise<Snapshot> {
  const { rows } = await db.query<{ t: string; n: number; d: string | null }>(sql, [exceptCommandId]);
  return Object.fromEntries(rows.map((r) => [r.t, { count: r.n, digest: r.d }]));
}

/** The tables whose digest differs, with their row counts before → after. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  return Object.keys({ ...before, ...after })
    .filter((t) => before[t]?.count !== after[t]?.count || before[t]?.digest !== after[t]?.digest)
    .map((t) => `${t} (${before[t]?.count ?? '-'} → ${after[t]?.count ?? '-'} rows)`);
}
