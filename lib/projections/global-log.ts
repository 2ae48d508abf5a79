// Reading the global log without skipping events.
//
// global_position comes from a sequence, allocated when a row is inserted, not when its transaction
// commits. A reader that remembers "I have seen up to position 42" can miss position 41 if the
// transaction that took 41 commits after the reader looked. So readers order by the writing
// transaction's id (xid8) and only read transactions older than every transaction still running
// (pg_snapshot_xmin of the current snapshot): those can no longer gain events. The checkpoint is the
// pair (transaction id, position) of the last event read.
import type pg from 'pg';
import { storedMetadataSql } from '@/lib/event-store/storage';

export type LogEvent = {
  globalPosition: bigint;
  transactionId: string;
  streamId: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  commandId: string;
  createdAt: Date;
};

export type Checkpoint = { transactionId: string; position: bigint };

export const START: Checkpoint = { transactionId: '0', position: 0n };

/**
 * The `events` columns as a LogEvent row (select them `FROM events`, unaliased, then map each row
 * with `toLogEvent`). An event's row links its command by key; the command id is read from the
 * command's row (lib/event-store/command-key.ts).
 */
export const LOG_EVENT_COLUMNS = `global_position::text AS "globalPosition", transaction_id::text AS "transactionId",
  stream_id AS "streamId", version, type, data, ${storedMetadataSql()} AS metadata,
  (SELECT k.command_id FROM commands k WHERE k.command_key = events.command_key) AS "commandId", created_at AS "createdAt"`;

export type LogEventRow = Omit<LogEvent, 'globalPosition'> & { globalPosition: string };

export const toLogEvent = (r: LogEventRow): LogEvent => ({ ...r, globalPosition: BigInt(r.globalPosition) });

export async function readGlobalLog(client: pg.ClientBase, after: Checkpoint, limit: number): Promise<LogEvent[]> {
  const { rows } = await client.query<LogEventRow>(
    `SELECT ${LOG_EVENT_COLUMNS}
       FROM events
      WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id, global_position
      LIMIT $3`,
    [after.transactionId, after.position.toString(), limit],
  );
  return rows.map(toLogEvent);
}

/** How many events are visible-and-safe but not yet read past `after` (the projection's lag). */
export async function lagOf(client: pg.ClientBase, after: Checkpoint): Promise<number> {
  const { rows } = await client.query<{ lag: string }>(
    `SELECT count(*)::text AS lag FROM events WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)`,
    [after.transactionId, after.position.toString()],
  );
  return Number(rows[0]?.lag ?? 0);
}
