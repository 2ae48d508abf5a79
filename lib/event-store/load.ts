import 'server-only';
import { Prisma } from '@/lib/generated/prisma/client';
import type { Sql } from '@/lib/db/prisma';
import type { CommandRecord, LoadedStream, RecordedEvent } from './types';
import { emptyStream } from './types';

// Reading the store. Conflicts are never decided here: the unit of work's unique constraints do that.

export type Loaded = { command: CommandRecord | null; streams: Map<string, LoadedStream> };

type EventRow = Omit<RecordedEvent, 'globalPosition' | 'createdAt'> & { globalPosition: string; createdAt: string };
type CommandRecordRow = Omit<CommandRecord, 'createdAt'> & { createdAt: string };
type SnapshotRow = { streamId: string; version: number; state: unknown };

/** One event as JSON, the same columns for every reader of `events e`. */
const EVENT_JSON = Prisma.sql`json_build_object('globalPosition', e.global_position::text, 'streamId', e.stream_id,
  'version', e.version, 'type', e.type, 'data', e.data, 'metadata', e.metadata, 'commandId', e.command_id, 'createdAt', e.created_at)`;

const COMMAND_JSON = Prisma.sql`json_build_object('commandId', c.command_id, 'type', c.type, 'streamIds', c.stream_ids,
  'fingerprint', c.fingerprint, 'status', c.status, 'outcome', c.outcome, 'createdAt', c.created_at)`;

/**
 * Everything a command needs, in one round trip: the stored outcome if this command id was already
 * handled, and for every stream the command touches its latest snapshot of `snapshotSchemaVersion`
 * (a snapshot of another schema version is ignored, never trusted) and the events after it.
 */
export async function loadForCommand(db: Sql, commandId: string, streamIds: string[], snapshotSchemaVersion: number | null = null): Promise<Loaded> {
  const schema = snapshotSchemaVersion ?? -1;
  const rows = await db.$queryRaw<{ command: CommandRecordRow | null; snapshots: SnapshotRow[] | null; events: EventRow[] | null }[]>`
    WITH usable AS (
      SELECT s.stream_id, s.version, s.state FROM snapshots s
       WHERE s.stream_id = ANY(${streamIds}::text[]) AND s.schema_version = ${schema}
    )
    SELECT
      (SELECT ${COMMAND_JSON} FROM commands c WHERE c.command_id = ${commandId}) AS command,
      (SELECT json_agg(json_build_object('streamId', u.stream_id, 'version', u.version, 'state', u.state)) FROM usable u) AS snapshots,
      (SELECT json_agg(${EVENT_JSON} ORDER BY e.stream_id, e.version)
         FROM unnest(${streamIds}::text[]) AS wanted(stream_id)
         LEFT JOIN usable u ON u.stream_id = wanted.stream_id
         -- Per stream, so the (stream_id, version) index is entered at the snapshot's version
         -- instead of scanning the whole stream and filtering.
         CROSS JOIN LATERAL (
           SELECT ev.global_position, ev.stream_id, ev.version, ev.type, ev.data, ev.metadata, ev.command_id, ev.created_at
             FROM events ev WHERE ev.stream_id = wanted.stream_id AND ev.version > COALESCE(u.version, 0)
         ) e) AS events`;
  const row = rows[0];
  const streams = new Map<string, LoadedStream>(streamIds.map((id) => [id, emptyStream()]));
  for (const snapshot of row?.snapshots ?? []) {
    const stream = streams.get(snapshot.streamId);
    if (stream) Object.assign(stream, { snapshot: { version: snapshot.version, state: snapshot.state }, version: snapshot.version });
  }
  for (const event of row?.events ?? []) {
    const stream = streams.get(event.streamId);
    if (!stream) continue;
    stream.events.push(recordedEventOf(event));
    stream.version = event.version;
  }
  return { command: row?.command ? commandRecordOf(row.command) : null, streams };
}

/** A whole stream from version 1 (no snapshot), for readers such as the admin views and the API. */
export async function readStream(db: Sql, streamId: string): Promise<RecordedEvent[]> {
  const rows = await db.$queryRaw<{ event: EventRow }[]>`SELECT ${EVENT_JSON} AS event FROM events e WHERE e.stream_id = ${streamId} ORDER BY e.version`;
  return rows.map((r) => recordedEventOf(r.event));
}

/** The command log's record of a command id, if it was handled. */
export async function findCommand(db: Sql, commandId: string): Promise<CommandRecord | null> {
  const rows = await db.$queryRaw<{ command: CommandRecordRow }[]>`SELECT ${COMMAND_JSON} AS command FROM commands c WHERE c.command_id = ${commandId}`;
  return rows[0] ? commandRecordOf(rows[0].command) : null;
}

/** Replays are counted on the command row (for operators), never as events. */
export async function countReplay(db: Sql, commandId: string): Promise<void> {
  await db.$executeRaw`UPDATE commands SET replay_count = replay_count + 1, last_replayed_at = now() WHERE command_id = ${commandId}`;
}

function recordedEventOf(row: EventRow): RecordedEvent {
  return { ...row, globalPosition: BigInt(row.globalPosition), createdAt: new Date(row.createdAt) };
}

function commandRecordOf(row: CommandRecordRow): CommandRecord {
  return { ...row, createdAt: new Date(row.createdAt) };
}
