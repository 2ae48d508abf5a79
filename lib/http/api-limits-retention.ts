// The ended windows of the API budgets (table api_rate_limits, lib/http/api-limits.ts): what
// `npm run prune` deletes for them. Plain pg (not server-only): run by scripts/prune.ts.
import type pg from 'pg';

/** Deletes the windows that ended before `now` (`expire` is epoch ms). */
export async function pruneApiRateLimits(client: Pick<pg.Client, 'query'>, now = new Date()): Promise<number> {
  const result = await client.query('DELETE FROM api_rate_limits WHERE expire < $1', [now.getTime()]);
  return result.rowCount ?? 0;
}
