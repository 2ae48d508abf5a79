import 'server-only';
import type { Sql } from '@/lib/db/prisma';

// A small event store in the Emmett mould: read streams, and append with an expected version.
// Conflicts are decided by PostgreSQL's unique constraints, never by reading a max and hoping.

export type EventMetadata = {
  commandId: string;
  commandType: string;
  causationId: string;
  correlationId: string;
  schemaVersion: number;
};

export type NewEvent = { type: string; data: unknown; metadata: EventMetadata };
export type StreamAppend = { streamId: string; expectedVersion: number; events: NewEvent[] };

export type RecordedEvent = {
  globalPosition: bigint;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  commandId: string;
  createdAt: Date;
};

export type CommandRecord = {
  commandId: string;
  type: string;
  streamIds: string[];
  fingerprint: string;
  status: 'accepted' | 'rejected';
  outcome: unknown;
  createdAt: Date;
};

export type Snapshot = { version: number; state: unknown };

/** A stream as loaded for a decision: the latest usable snapshot, then the events after it. */
export type LoadedStream = { snapshot: Snapshot | null; events: RecordedEvent[]; version: number };

export type Loaded = { command: CommandRecord | null; streams: Map<string, LoadedStream> };

type EventRow = Omit<RecordedEvent, 'globalPosition' | 'createdAt'> & { globalPosition: string; createdAt: string };
type CommandRow = Omit<CommandRecord, 'createdAt'> & { createdAt: string };
type SnapshotRow = { streamId: string; version: number; state: unknown };

/**
 * Everything a command needs, in one round trip: the stored outcome if this command id was already
 * handled, and for every stream the command touches its latest snapshot of `snapshotSchemaVersion`
 * (a snapshot of another schema version is ignored, never trusted) and the events after it.
 */
export async function loadForCommand(db: Sql, commandId: string, streamIds: string[], snapshotSchemaVersion: number | null = null): Promise<Loaded> {
  const schema = snapshotSchemaVersion ?? -1;
  const rows = await db.$queryRaw<{ command: CommandRow | null; snapshots: SnapshotRow[] | null; events: EventRow[] | null }[]>`
    WITH usable AS (
      SELECT s.stream_id, s.version, s.state FROM snapshots s
       WHERE s.stream_id = ANY(${streamIds}::text[]) AND s.schema_version = ${schema}
    )
    SELECT
      (SELECT json_build_object('commandId', c.command_id, 'type', c.type, 'streamIds', c.stream_ids,
              'fingerprint', c.fingerprint, 'status', c.status, 'outcome', c.outcome, 'createdAt', c.created_at)
         FROM commands c WHERE c.command_id = ${commandId}) AS command,
      (SELECT json_agg(json_build_object('streamId', u.stream_id, 'version', u.version, 'state', u.state)) FROM usable u) AS snapshots,
      (SELECT json_agg(json_build_object('globalPosition', e.global_position::text, 'streamId', e.stream_id,
              'version', e.version, 'type', e.type, 'data', e.data, 'metadata', e.metadata,
              'commandId', e.command_id, 'createdAt', e.created_at) ORDER BY e.stream_id, e.version)
         FROM unnest(${streamIds}::text[]) AS wanted(stream_id)
         LEFT JOIN usable u ON u.stream_id = wanted.stream_id
         -- Per stream, so the (stream_id, version) index is entered at the snapshot's version
         -- instead of scanning the whole stream and filtering (100k events: 57 ms → a few ms).
         CROSS JOIN LATERAL (
           SELECT ev.global_position, ev.stream_id, ev.version, ev.type, ev.data, ev.metadata, ev.command_id, ev.created_at
             FROM events ev WHERE ev.stream_id = wanted.stream_id AND ev.version > COALESCE(u.version, 0)
         ) e) AS events`;
  const row = rows[0];
  const streams = new Map<string, LoadedStream>(streamIds.map((id) => [id, { snapshot: null, events: [], version: 0 }]));
  for (const snapshot of row?.snapshots ?? []) {
    const stream = streams.get(snapshot.streamId);
    if (stream) Object.assign(stream, { snapshot: { version: snapshot.version, state: snapshot.state }, version: snapshot.version });
  }
  for (const event of row?.events ?? []) {
    const stream = streams.get(event.streamId);
    if (!stream) continue;
    stream.events.push(toRecordedEvent(event));
    stream.version = event.version;
  }
  return { command: row?.command ? toCommandRecord(row.command) : null, streams };
}

export async function findCommand(db: Sql, commandId: string): Promise<CommandRecord | null> {
  return (await loadForCommand(db, commandId, [])).command;
}

/** A whole stream from version 1 (no snapshot), for readers such as the admin views and the API. */
export async function readStream(db: Sql, streamId: string): Promise<RecordedEvent[]> {
  return (await loadForCommand(db, '', [streamId])).streams.get(streamId)?.events ?? [];
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return { ...row, globalPosition: BigInt(row.globalPosition), createdAt: new Date(row.createdAt) };
}

function toCommandRecord(row: CommandRow): CommandRecord {
  return { ...row, createdAt: new Date(row.createdAt) };
}
