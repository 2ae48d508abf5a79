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

export type Loaded = { command: CommandRecord | null; streams: Map<string, RecordedEvent[]> };

type EventRow = Omit<RecordedEvent, 'globalPosition' | 'createdAt'> & { globalPosition: string; createdAt: string };
type CommandRow = Omit<CommandRecord, 'createdAt'> & { createdAt: string };

/**
 * Everything a command needs, in one round trip: the stored outcome if this command id was already
 * handled, and the events of every stream the command touches.
 */
export async function loadForCommand(db: Sql, commandId: string, streamIds: string[]): Promise<Loaded> {
  const rows = await db.$queryRaw<{ command: CommandRow | null; events: EventRow[] | null }[]>`
    SELECT
      (SELECT json_build_object('commandId', c.command_id, 'type', c.type, 'streamIds', c.stream_ids,
              'fingerprint', c.fingerprint, 'status', c.status, 'outcome', c.outcome, 'createdAt', c.created_at)
         FROM commands c WHERE c.command_id = ${commandId}) AS command,
      (SELECT json_agg(json_build_object('globalPosition', e.global_position::text, 'streamId', e.stream_id,
              'version', e.version, 'type', e.type, 'data', e.data, 'metadata', e.metadata,
              'commandId', e.command_id, 'createdAt', e.created_at) ORDER BY e.stream_id, e.version)
         FROM events e WHERE e.stream_id = ANY(${streamIds}::text[])) AS events`;
  const row = rows[0];
  const streams = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
  for (const event of row?.events ?? []) streams.get(event.streamId)?.push(toRecordedEvent(event));
  return { command: row?.command ? toCommandRecord(row.command) : null, streams };
}

export async function findCommand(db: Sql, commandId: string): Promise<CommandRecord | null> {
  return (await loadForCommand(db, commandId, [])).command;
}

export async function readStream(db: Sql, streamId: string): Promise<RecordedEvent[]> {
  return (await loadForCommand(db, '', [streamId])).streams.get(streamId) ?? [];
}

export const streamVersion = (events: RecordedEvent[]): number => events.at(-1)?.version ?? 0;

function toRecordedEvent(row: EventRow): RecordedEvent {
  return { ...row, globalPosition: BigInt(row.globalPosition), createdAt: new Date(row.createdAt) };
}

function toCommandRecord(row: CommandRow): CommandRecord {
  return { ...row, createdAt: new Date(row.createdAt) };
}
