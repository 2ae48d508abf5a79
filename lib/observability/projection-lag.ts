import 'server-only';
import { db } from '@/lib/db/prisma';
import { ASYNC_PROJECTIONS } from '@/lib/projections/runner';
import type { ProjectionLag } from './metrics';

/**
 * Per asynchronous projection: events after its checkpoint, and the age of the oldest of them.
 * Same ordering as the runner's reader ((transaction id, position), lib/projections/global-log.ts).
 */
export async function projectionLag(): Promise<ProjectionLag[]> {
  const result: ProjectionLag[] = [];
  for (const { name } of ASYNC_PROJECTIONS) {
    const rows = await db().$queryRaw<{ events: number; seconds: number }[]>`
      WITH checkpoint AS (
        SELECT coalesce((SELECT last_transaction_id FROM projection_checkpoints WHERE name = ${name}), '0')::xid8 AS tx,
               coalesce((SELECT last_position FROM projection_checkpoints WHERE name = ${name}), 0) AS pos)
      SELECT count(*)::int AS events, coalesce(extract(epoch FROM now() - min(e.created_at)), 0)::float8 AS seconds
        FROM events e, checkpoint c
       WHERE (e.transaction_id, e.global_position) > (c.tx, c.pos)`;
    result.push({ projection: name, events: rows[0]?.events ?? 0, seconds: rows[0]?.seconds ?? 0 });
  }
  return result;
}
