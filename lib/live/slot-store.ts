import 'server-only';
import type pg from 'pg';
import { inTransaction } from '@/lib/db/pg-transaction';

// Where the instances count the event streams they hold (table live_stream_slots, one row per
// customer and instance). Every clock is PostgreSQL's (now()), so instances whose clocks disagree
// still agree on which rows are live.

/** Key space of the per-customer locks (two-int advisory locks; 0x1de4–0x1de6: stream, projection, relay locks). */
const SLOT_LOCK_CLASS = 0x1de7;

/** One instance's view of the table. */
export type SlotStore = {
  /**
   * Sets this instance's count for the customer to `streams` if it and the other live instances'
   * counts fit in `cap`, under the customer's lock: false (nothing written) when they do not.
   */
  reserve(customerId: string, streams: number, cap: number): Promise<boolean>;
  /**
   * Writes this instance's counts as they are, refreshing their rows (0 deletes the row), without the
   * lock: a count it holds is not a new stream.
   */
  write(counts: ReadonlyArray<readonly [customerId: string, streams: number]>): Promise<void>;
  /** Deletes the rows that are no longer live, of any customer and other instances. */
  sweep(): Promise<number>;
  /** Deletes every row of this instance (shutdown). */
  clear(): Promise<void>;
};

const LIVE = `seen_at >= now() - make_interval(secs => $3::float8)`;

// The lock comes first, in a statement of its own: the next statement's snapshot then sees whatever
// the previous holder committed. The instance's own row is left to the upsert (one statement may
// not delete and update the same row).
const LOCK = `SELECT pg_advisory_xact_lock(${SLOT_LOCK_CLASS}, hashtext($1))`;
const RESERVE = `WITH stale AS (
    DELETE FROM live_stream_slots WHERE customer_id = $1 AND instance_id <> $2 AND NOT (${LIVE})
  ), others AS (
    SELECT coalesce(sum(streams), 0)::int AS n FROM live_stream_slots
     WHERE customer_id = $1 AND instance_id <> $2 AND ${LIVE}
  ), taken AS (
    INSERT INTO live_stream_slots AS s (customer_id, instance_id, streams, seen_at)
    SELECT $1, $2, $4::int, now() FROM others WHERE others.n + $4::int <= $5::int
    ON CONFLICT (customer_id, instance_id) DO UPDATE SET streams = EXCLUDED.streams, seen_at = EXCLUDED.seen_at
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM taken) AS granted`;

// Rows in the order of their keys, so that two writes never wait on each other in a cycle.
const WRITE = `WITH kept AS (
    INSERT INTO live_stream_slots AS s (customer_id, instance_id, streams, seen_at)
    SELECT c, $1, n, now() FROM unnest($2::text[], $3::int[]) AS t(c, n) ORDER BY c
    ON CONFLICT (customer_id, instance_id) DO UPDATE SET streams = EXCLUDED.streams, seen_at = EXCLUDED.seen_at
    RETURNING 1
  )
  DELETE FROM live_stream_slots WHERE instance_id = $1 AND customer_id = ANY($4::text[])`;

// SKIP LOCKED: a row another transaction is writing is left to a later sweep, never waited for.
const SWEEP = `DELETE FROM live_stream_slots WHERE (customer_id, instance_id) IN (
    SELECT customer_id, instance_id FROM live_stream_slots
     WHERE instance_id <> $1 AND seen_at < now() - make_interval(secs => $2::float8)
     FOR UPDATE SKIP LOCKED)`;

const CLEAR = `DELETE FROM live_stream_slots WHERE instance_id = $1`;

/** The store on `pool()` for `instanceId`, whose rows stop counting `livenessMs` after their last refresh. */
export function pgSlotStore(pool: () => pg.Pool, instanceId: string, livenessMs: number): SlotStore {
  const seconds = livenessMs / 1000;
  return {
    async reserve(customerId, streams, cap) {
      const connection = await pool().connect();
      let broken: Error | undefined;
      try {
        return await inTransaction(connection, async () => {
          await connection.query(LOCK, [customerId]);
          const { rows } = await connection.query<{ granted: boolean }>(RESERVE, [
            customerId,
            instanceId,
            seconds,
            streams,
            cap,
          ]);
          return rows[0]!.granted;
        });
      } catch (error) {
        // The connection may be in any state (a ROLLBACK that failed too): it does not go back to the pool.
        broken = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        connection.release(broken);
      }
    },
    async write(counts) {
      if (counts.length === 0) return;
      const kept = counts.filter(([, n]) => n > 0);
      const dropped = counts.filter(([, n]) => n <= 0).map(([c]) => c);
      await pool().query(WRITE, [instanceId, kept.map(([c]) => c), kept.map(([, n]) => n), dropped]);
    },
    async sweep() {
      const { rowCount } = await pool().query(SWEEP, [instanceId, seconds]);
      return rowCount ?? 0;
    },
    async clear() {
      await pool().query(CLEAR, [instanceId]);
    },
  };
}
