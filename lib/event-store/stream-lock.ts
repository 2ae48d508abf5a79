import 'server-only';
import type { SqlClient } from './sql';

/** Key space of the per-stream queue locks (two-int advisory locks; Prisma's migrate lock is a bigint). */
const STREAM_LOCK_CLASS = 0x1de4;

/** How long a queued attempt waits for a stream before giving up (a lock-timeout conflict, retried). */
const LOCK_TIMEOUT = '5s';

/**
 * Inside a transaction: a bounded wait, then a transaction-scoped advisory lock per stream, taken
 * in sorted order (unnest keeps it) so two commands over the same streams queue in the same order.
 * One round trip. The lock is only a queue; the unique constraints still decide.
 */
export async function lockStreams(tx: SqlClient, streamIds: string[]): Promise<void> {
  const sorted = [...streamIds].sort();
  await tx.query({
    text: `SELECT set_config('lock_timeout', $1::text, true) AS timeout,
    (SELECT count(pg_advisory_xact_lock(${STREAM_LOCK_CLASS}::int, hashtext(s)))::int FROM unnest($2::text[]) AS s) AS locked`,
    values: [LOCK_TIMEOUT, sorted],
  });
}
