// Idempotency-key retention (docs/security.md): what `npm run prune` deletes from the engine's own
// tables. A command row that produced events is the link between those events and the request that
// made them, and the reason a retry of its key replays instead of moving money again: it is never
// deleted (the events' foreign key, ON DELETE RESTRICT, would refuse it anyway). Rejected commands
// wrote nothing but their row; past the retention they go, and their key then counts as new.
// Plain pg (not server-only): run by scripts/prune.ts and its test. The rate-limit tables are pruned
// by their owners (lib/http/api-limits-retention.ts, lib/auth/rate-limits-retention.ts).
import type pg from 'pg';

type Queryable = Pick<pg.Client, 'query'>;

const DEFAULT_KEY_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 1000;

/** Rejected commands older than the retention and without events, in batches (short locks, bounded WAL). */
export async function pruneCommands(
  client: Queryable,
  options: { retentionDays?: number; now?: Date } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.retentionDays ?? DEFAULT_KEY_RETENTION_DAYS) * DAY_MS);
  let total = 0;
  for (;;) {
    const result = await client.query(
      `DELETE FROM commands WHERE command_key IN (
         SELECT c.command_key FROM commands c
          WHERE c.status = 'rejected' AND c.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.command_key = c.command_key)
          LIMIT ${BATCH})`,
      [cutoff],
    );
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < BATCH) return total;
  }
}
