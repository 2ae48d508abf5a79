import 'server-only';
import type { Db } from '@/lib/db/prisma';
import { commandKeySql } from './command-key';
import { sqlOf, type SqlClient } from './sql';
import { streamIs } from './stream-key';
import type { CommandRecord, LoadedEvent, LoadedStream, RecordedEvent } from './types';
import { emptyStream, eventMetadataOf, storedMetadataFrom, storedMetadataSql } from './types';

// Reading the store. Conflicts are never decided here: the unit of work's unique constraints do that.

export type Loaded = { command: CommandRecord | null; streams: Map<string, LoadedStream> };
/** For a batch of commands on the same streams: the ones already handled, by command id. */
export type LoadedBatch = { commands: Map<string, CommandRecord>; streams: Map<string, LoadedStream> };

type EventRow = Omit<RecordedEvent, 'globalPosition' | 'createdAt'> & { globalPosition: string; createdAt: string };
type LoadedEventRow = Omit<LoadedEvent, 'globalPosition' | 'createdAt' | 'metadata'> & {
  globalPosition: string;
  createdAt: string;
  metadata: unknown;
  schemaVersion: number | null;
};
type CommandRecordRow = Omit<CommandRecord, 'createdAt'> & { createdAt: string };
type SnapshotRow = { streamId: string; version: number; state: unknown };

/** One event as JSON, the same columns for every reader of `events e`. */
// An event's row links its command by key (lib/event-store/command-key.ts): readers of whole
// events read the id from the command's row (a primary-key look-up per event).
const EVENT_JSON = `json_build_object('globalPosition', e.global_position::text, 'streamId', e.stream_id,
  'version', e.version, 'type', e.type, 'data', e.data, 'metadata', ${storedMetadataSql('e.')},
  'commandId', (SELECT k.command_id FROM commands k WHERE k.command_key = e.command_key), 'createdAt', e.created_at)`;

/** An event as the engine loads it for a decision (LoadedEvent): its two metadata columns as they are, no command id. */
const LOADED_EVENT_JSON = `json_build_object('globalPosition', e.global_position::text, 'streamId', e.stream_id,
  'version', e.version, 'type', e.type, 'data', e.data, 'metadata', e.metadata, 'schemaVersion', e.schema_version,
  'createdAt', e.created_at)`;

// The keys of the command ids in $1, computed once per statement (an InitPlan): `= ANY` of it is a
// look-up in the primary key. (`IN (SELECT … FROM unnest($1))` was planned as a scan of commands.)
const COMMAND_KEYS = 'ARRAY(SELECT idem_command_key(id) FROM unnest($1::text[]) AS ids(id))';

const COMMAND_JSON = `json_build_object('commandId', c.command_id, 'type', c.type, 'streamIds', c.stream_ids,
  'fingerprint', encode(c.fingerprint, 'hex'), 'status', c.status, 'outcome', c.outcome, 'createdAt', c.created_at)`;

// $1 command ids, $2 stream ids, $3 snapshot schema version.
export const LOAD_STREAMS = `WITH usable AS (
      SELECT s.stream_id, s.version, s.state FROM unnest($2::text[]) AS w(stream_id)
        JOIN snapshots s ON s.stream_id = w.stream_id AND s.schema_version = $3::int
    )
    SELECT
      (SELECT json_agg(${COMMAND_JSON}) FROM commands c WHERE c.command_key = ANY(${COMMAND_KEYS})) AS commands,
      (SELECT json_agg(json_build_object('streamId', u.stream_id, 'version', u.version, 'state', u.state)) FROM usable u) AS snapshots,
      (SELECT json_agg(${LOADED_EVENT_JSON} ORDER BY e.stream_id, e.version)
         FROM unnest($2::text[]) AS wanted(stream_id)
         LEFT JOIN usable u ON u.stream_id = wanted.stream_id
         -- Per stream, so the (stream_id, version) index is entered at the snapshot's version
         -- instead of scanning the whole stream and filtering (a two-sided range: see below).
         -- OFFSET 0 keeps it a per-stream read: flattened into a join, a generic plan scanned
         -- the whole table.
         CROSS JOIN LATERAL (
           SELECT ev.global_position, ev.stream_id, ev.version, ev.type, ev.data, ev.metadata, ev.schema_version, ev.command_key, ev.created_at
             FROM events ev
            WHERE ${streamIs('ev.stream_id', 'wanted.stream_id')} AND ev.version > COALESCE(u.version, 0) AND ev.version <= COALESCE(u.version, 0)::bigint + 1000000000
           OFFSET 0
         ) e) AS events`;

// The same for one stream ($2 a stream id), the common case, with `$1` one command id or an array
// of them. Written so that PostgreSQL's generic plan is the custom plan (equality on primary keys):
// it then stops planning it after five runs. The statement above is planned again on nearly every
// run (measured: 0.3 ms of planning per command, as much as its execution) and its generic plan
// scans the snapshots table; `= ANY($1)` alone kept one command's load re-planned too.
// The events after the snapshot are a two-sided range of versions: PostgreSQL estimates that as
// narrow whatever it knows of the stream, so it enters the (stream_id, version) index. With
// `version > bound` alone, a custom plan for a stream that fills most of the table was a sequential
// scan (measured: 54 ms instead of 0.2 ms at 100,000 events). No stream gains 10^9 events between
// two snapshots.
const loadStream = (commands: string) => `WITH usable AS (
      SELECT s.stream_id, s.version, s.state FROM snapshots s WHERE s.stream_id = $2::text AND s.schema_version = $3::int
    ), bound AS (
      SELECT COALESCE((SELECT u.version FROM usable u), 0) AS after
    )
    SELECT
      (SELECT json_agg(${COMMAND_JSON}) FROM commands c WHERE ${commands}) AS commands,
      (SELECT json_agg(json_build_object('streamId', u.stream_id, 'version', u.version, 'state', u.state)) FROM usable u) AS snapshots,
      (SELECT json_agg(${LOADED_EVENT_JSON} ORDER BY e.version)
         FROM bound b, events e
        WHERE ${streamIs('e.stream_id', '$2')} AND e.version > b.after AND e.version <= b.after::bigint + 1000000000) AS events`;
/** The load statements by shape (exported for the plan tests). */
export const LOAD_COMMAND = loadStream(`c.command_key = ${commandKeySql('$1')}`);
export const LOAD_BATCH = loadStream(`c.command_key = ANY(${COMMAND_KEYS})`);

/**
 * Everything a command needs, in one round trip: the stored outcome if this command id was already
 * handled, and for every stream the command touches its latest snapshot of `snapshotSchemaVersion`
 * (a snapshot of another schema version is ignored, never trusted) and the events after it.
 */
export async function loadForCommand(
  db: Db | SqlClient,
  commandId: string,
  streamIds: string[],
  snapshotSchemaVersion: number | null = null,
): Promise<Loaded> {
  const { commands, streams } = await loadForCommands(db, [commandId], streamIds, snapshotSchemaVersion);
  return { command: commands.get(commandId) ?? null, streams };
}

/** The same round trip for several commands on the same streams (a batch): one statement text for both. */
export async function loadForCommands(
  db: Db | SqlClient,
  commandIds: string[],
  streamIds: string[],
  snapshotSchemaVersion: number | null = null,
): Promise<LoadedBatch> {
  const schema = snapshotSchemaVersion ?? -1;
  const statement =
    streamIds.length !== 1
      ? { text: LOAD_STREAMS, values: [commandIds, streamIds, schema] }
      : commandIds.length === 1
        ? { text: LOAD_COMMAND, values: [commandIds[0], streamIds[0], schema] }
        : { text: LOAD_BATCH, values: [commandIds, streamIds[0], schema] };
  const rows = await sqlOf(db).query<{
    commands: CommandRecordRow[] | null;
    snapshots: SnapshotRow[] | null;
    events: LoadedEventRow[] | null;
  }>(statement);
  const row = rows[0];
  const streams = new Map<string, LoadedStream>(streamIds.map((id) => [id, emptyStream()]));
  for (const snapshot of row?.snapshots ?? []) {
    const stream = streams.get(snapshot.streamId);
    if (stream)
      Object.assign(stream, {
        snapshot: { version: snapshot.version, state: snapshot.state },
        version: snapshot.version,
      });
  }
  for (const event of row?.events ?? []) {
    const stream = streams.get(event.streamId);
    if (!stream) continue;
    stream.events.push(loadedEventOf(event));
    stream.version = event.version;
  }
  return { commands: new Map((row?.commands ?? []).map((c) => [c.commandId, commandRecordOf(c)])), streams };
}

/** A stream's events ($1), and those after a version ($2, at most $3): exported for the plan tests. */
export const READ_STREAM = `SELECT ${EVENT_JSON} AS event FROM events e WHERE ${streamIs('e.stream_id', '$1')} ORDER BY e.version`;
export const READ_STREAM_AFTER = `SELECT ${EVENT_JSON} AS event FROM events e WHERE ${streamIs('e.stream_id', '$1')} AND e.version > $2::int ORDER BY e.version LIMIT $3::int`;

/** A whole stream from version 1 (no snapshot), for readers such as the admin views and the API. */
export async function readStream(db: Db | SqlClient, streamId: string): Promise<RecordedEvent[]> {
  const rows = await sqlOf(db).query<{ event: EventRow }>({
    text: READ_STREAM,
    values: [streamId],
  });
  return rows.map((r) => recordedEventOf(r.event));
}

/**
 * One page of a stream: at most `limit` events after version `after`, in order, and whether more
 * follow (read one past the page, so a page that ends at the stream's end says so).
 */
export async function readStreamPage(
  db: Db | SqlClient,
  streamId: string,
  after: number,
  limit: number,
): Promise<{ events: RecordedEvent[]; more: boolean }> {
  const rows = await sqlOf(db).query<{ event: EventRow }>({
    text: READ_STREAM_AFTER,
    values: [streamId, after, limit + 1],
  });
  const events = rows.slice(0, limit).map((r) => recordedEventOf(r.event));
  return { events, more: rows.length > limit };
}

/** Replays are counted for operators, in a table of their own (the command log is never updated), never as events. */
export async function countReplay(db: Db | SqlClient, commandId: string): Promise<void> {
  await sqlOf(db).query({
    text: `INSERT INTO command_replays (command_key, replay_count, last_replayed_at) VALUES (${commandKeySql('$1')}, 1, now())
           ON CONFLICT (command_key) DO UPDATE SET replay_count = command_replays.replay_count + 1, last_replayed_at = now()`,
    values: [commandId],
  });
}

function loadedEventOf({ schemaVersion, ...row }: LoadedEventRow): LoadedEvent {
  return {
    ...row,
    globalPosition: BigInt(row.globalPosition),
    metadata: storedMetadataFrom({ metadata: row.metadata, schemaVersion }),
    createdAt: new Date(row.createdAt),
  };
}

function recordedEventOf(row: EventRow): RecordedEvent {
  return {
    ...row,
    globalPosition: BigInt(row.globalPosition),
    metadata: eventMetadataOf(row.metadata, row.commandId),
    createdAt: new Date(row.createdAt),
  };
}

function commandRecordOf(row: CommandRecordRow): CommandRecord {
  return { ...row, createdAt: new Date(row.createdAt) };
}
