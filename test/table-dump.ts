// Every table of the database as text, for tests that prove bad input "changes nothing": the tables
// are listed from information_schema, so a table added later is covered without touching the tests.

/** Runs one query and returns its rows (a Prisma $queryRawUnsafe or a pg client, wrapped). */
export type RunQuery = <Row>(sql: string) => Promise<Row[]>;

/**
 * Each table's rows, sorted, as text. `ignore` names columns a request may legitimately move, per
 * table (the bookkeeping of the credential that authenticated it, e.g. an API key's request count).
 */
export async function dumpTables(
  query: RunQuery,
  extraIgnore: Record<string, string[]> = {},
): Promise<Record<string, string>> {
  const ignore: Record<string, string[]> = { ...FOLLOWER_CURSORS };
  for (const [table, columns] of Object.entries(extraIgnore)) ignore[table] = [...(ignore[table] ?? []), ...columns];
  const columns = await query<{ table: string; column: string }>(
    `SELECT table_name AS table, column_name AS column FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, string[]>();
  for (const { table, column } of columns) {
    const kept = tables.get(table) ?? [];
    tables.set(table, kept);
    if (!(ignore[table] ?? []).includes(column)) kept.push(`"${column}"`);
  }
  const entries = await Promise.all(
    [...tables].map(async ([table, kept]) => {
      const rows = await query<{ dump: string | null }>(
        `SELECT string_agg(r::text, E'\\n' ORDER BY r::text) AS dump FROM (SELECT ${kept.join(', ')} FROM "${table}") r`,
      );
      return [table, rows[0]?.dump ?? ''] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Where the log's background followers have read up to (the webhook fan-out, the JetStream relay):
 * they move whenever the follower catches up with events committed before the request, on their own
 * schedule. What the fan-out produces is still compared (webhook_deliveries).
 */
export const FOLLOWER_CURSORS: Record<string, string[]> = {
  webhook_checkpoint: ['last_transaction_id', 'last_position', 'updated_at'],
  relay_positions: ['last_transaction_id', 'last_position', 'events_published', 'last_stream_sequence', 'updated_at'],
};

/**
 * Columns a request authenticated by an API key moves, and only those — a refused request too, that
 * is their purpose: better-auth's usage bookkeeping of the key, and the count and window end of the
 * key's and its customer's API budgets (lib/http/api-limits.ts: one row per key or customer and
 * budget, its window restarted in place). Their rows are still compared: a budget row that appears
 * or vanishes, or a key's name, owner or state that changes, is a difference. Requests without an
 * API key (the forms, with a session) compare these tables in full.
 */
export const API_KEY_BOOKKEEPING = {
  api_keys: ['request_count', 'last_request', 'updated_at'],
  api_rate_limits: ['points', 'expire'],
};
