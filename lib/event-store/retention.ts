// Idempotency-key retention (docs/security.md): what `npm run prune` deletes. A command row that
// produced events is the link between those events and the request that made them, and the reason
// a retry of its key replays instead of moving money again: it is never deleted (the events'
// foreign key, ON DELETE RESTRICT, would refuse it anyway). Rejected commands wrote nothing but
// their row; past the retention they go, and their key then counts as new. Also the ended windows
// of the rate limits. Plain pg (not server-only): run by scripts/prune.ts and its test.
import type pg from 'pg';

type Queryable = Pick<pg.Client, 'query'>;

export const DEFAULT_KEY_RETENTION_DAYS = 30;
/** better-auth's windows are at most an hour (lib/auth/rate-limits.ts); a day is well past any. */
const AUTH_RATE_LIMIT_ROWS_MS = 24 * 60 * 60 * 1000;
const BATCH = 1000;

export type PruneResult = { commands: number; apiRateLimits: number; authRateLimits: number };

/** Rejected commands created before `cutoff` and without events, in batches (short locks, bounded WAL). */
export async function pruneCommands(client: Queryable, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await client.query(
      `DELETE FROM commands WHERE command_id IN (
         SELECT c.command_id FROM commands c
          WHERE c.status = 'rejected' AND c.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.command_id = c.command_id)
          LIMIT ${BATCH})`,
      [cutoff],
    );
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < BATCH) return total;
  }
}

export async function prune(client: Queryable, options: { retentionDays?: number; now?: Date } = {}): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const days = options.retentionDays ?? DEFAULT_KEY_RETENTION_DAYS;
  const commands = await pruneCommands(client, new Date(now.getTime() - days * 24 * 60 * 60 * 1000));
  const api = await client.query('DELETE FROM api_rate_limits WHERE expire < $1', [now.getTime()]);
  const auth = await client.query('DELETE FROM rate_limits WHERE last_request < $1', [now.getTime() - AUTH_RATE_LIMIT_ROWS_MS]);
  return { commands, apiRateLimits: api.rowCount ?? 0, authRateLimits: auth.rowCount ?? 0 };
}
