// The sign-in rate-limit rows (table rate_limits, lib/auth/rate-limits.ts) that no window can still
// count: what `npm run prune` deletes for them. Plain pg (not server-only): run by scripts/prune.ts.
import type pg from 'pg';

/** better-auth's windows are at most an hour (lib/auth/rate-limits.ts); a day is well past any. */
const ROW_LIFETIME_MS = 24 * 60 * 60 * 1000;

export async function pruneAuthRateLimits(client: Pick<pg.Client, 'query'>, now = new Date()): Promise<number> {
  const result = await client.query('DELETE FROM rate_limits WHERE last_request < $1', [
    now.getTime() - ROW_LIFETIME_MS,
  ]);
  return result.rowCount ?? 0;
}
