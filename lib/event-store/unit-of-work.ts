import 'server-only';
import { sortRows, type InlineProjection, type ProjectionRow, type ProjectionWrite } from './inline-projection';
import type { SqlClient } from './sql';
import { storedMetadataOf, type CommandRecord, type SnapshotWrite, type StreamAppend } from './types';

/** The command record as the unit of work writes it (its `createdAt` is the command's time). */
type NewCommandRecord = CommandRecord;

/** One command's share of a commit: its record and, when accepted, its events, projection rows and snapshots. */
export type CommandWork = {
  command: NewCommandRecord;
  appends: StreamAppend[];
  writes: ProjectionWrite[];
  snapshots: SnapshotWrite[];
};

export type UnitOfWork = {
  /** Every projection the commands' spec declares, written even when it has no rows (one statement text). */
  projections: readonly InlineProjection[];
  /** One command, or a batch of commands on one stream decided in sequence (each on the state the ones before it left). */
  commands: CommandWork[];
};

/**
 * Commits the command records, the events of every stream (each at its expected version + 1, + 2, …),
 * the inline projections and any snapshots in ONE statement, which PostgreSQL runs as one
 * transaction: all of it lands or none of it does. A duplicate command id violates `commands_pkey` (on the
 * id's key, lib/event-store/command-key.ts; the id itself is stored once, in the command's row);
 * another command that advanced a stream violates `events_stream_id_version_key` (or a projection's
 * version-keyed constraint, whichever PostgreSQL checks first). One round trip, no interactive
 * transaction holding a pooled connection between statements.
 */
export async function commit(sql: SqlClient, work: UnitOfWork): Promise<void> {
  // Rows are written in one global order (stream id, then version; projections by key) by every
  // commit, so two commands over the same streams (a transfer A→B and one B→A) wait for each other
  // in the same order and never deadlock; the loser gets a unique violation and re-decides.
  const events = work.commands
    .flatMap(({ command, appends }) =>
      appends.flatMap(({ streamId, expectedVersion, events: newEvents }) =>
        newEvents.map((event, index) => ({
          stream_id: streamId,
          version: expectedVersion + index + 1,
          type: event.type,
          data: event.data,
          metadata: storedMetadataOf(event.metadata, command),
          schema_version: event.metadata.schemaVersion,
          command_id: command.commandId,
          created_at: command.createdAt,
        })),
      ),
    )
    .sort((a, b) => compare(a.stream_id, b.stream_id) || a.version - b.version);
  // A batch may snapshot a stream more than once: the last (highest version) is the one to keep.
  const lastSnapshot = new Map<string, SnapshotWrite & { createdAt: Date }>();
  for (const { command, snapshots } of work.commands)
    for (const s of snapshots) lastSnapshot.set(s.streamId, { ...s, createdAt: command.createdAt });
  const snapshots = [...lastSnapshot.values()]
    .sort((a, b) => compare(a.streamId, b.streamId))
    .map((s) => ({
      stream_id: s.streamId,
      version: s.version,
      schema_version: s.schemaVersion,
      state: s.state,
      created_at: s.createdAt,
    }));
  const writes = work.commands.flatMap((c) => c.writes);
  const unknown = writes.find((w) => !work.projections.includes(w.projection));
  if (unknown) throw new Error(`Rows for ${unknown.projection.table}, which the command spec does not declare`);
  const projectionRows = work.projections.map((projection) =>
    JSON.stringify(
      sortRows(
        projection,
        oncePerKey(
          projection,
          writes.filter((w) => w.projection === projection).flatMap((w) => w.rows),
        ),
      ),
    ),
  );
  const commands = work.commands.map(({ command: c }) => ({
    command_id: c.commandId,
    type: c.type,
    stream_ids: c.streamIds,
    fingerprint: c.fingerprint,
    status: c.status,
    outcome: c.outcome,
    created_at: c.createdAt,
  }));
  await sql.query({
    text: commitStatement(work.projections),
    values: [JSON.stringify(events), JSON.stringify(snapshots), JSON.stringify(commands), ...projectionRows],
  });
}

/**
 * One row per key and statement (PostgreSQL refuses to upsert a row twice in one statement): rows
 * arrive in command order, so for `update` the later row wins, for `nothing` the first, as if each
 * command had been committed alone. 'error' rows pass through (a duplicate is a conflict anyway).
 */
function oncePerKey(projection: InlineProjection, rows: ProjectionRow[]): ProjectionRow[] {
  if (projection.onConflict === 'error' || rows.length < 2) return rows;
  const byKey = new Map<string, ProjectionRow>();
  for (const row of rows) {
    const key = JSON.stringify(projection.key.map((k) => row[k] ?? null));
    if (projection.onConflict === 'nothing' && byKey.has(key)) continue;
    byKey.set(key, row);
  }
  return [...byKey.values()];
}

const statements = new WeakMap<readonly InlineProjection[], string>();

/** The commit statement for a set of declared projections: the same text for every command of a spec. */
function commitStatement(projections: readonly InlineProjection[]): string {
  let text = statements.get(projections);
  if (text !== undefined) return text;
  const ctes = projections
    .map((projection, index) => `, projection_${index} AS (${projectionInsert(projection, `$${4 + index}`)})`)
    .join('');
  text = `WITH new_events AS (
      INSERT INTO events (stream_id, version, type, data, metadata, schema_version, command_key, created_at)
      SELECT e.stream_id, e.version, e.type, e.data, e.metadata, e.schema_version, idem_command_key(e.command_id), e.created_at
        FROM jsonb_to_recordset($1::jsonb)
             AS e(stream_id text, version int, type text, data jsonb, metadata jsonb, schema_version smallint, command_id text, created_at timestamptz)
    ),
    new_snapshots AS (
      INSERT INTO snapshots (stream_id, version, schema_version, state, created_at)
      SELECT s.stream_id, s.version, s.schema_version, s.state, s.created_at
        FROM jsonb_to_recordset($2::jsonb)
             AS s(stream_id text, version int, schema_version int, state jsonb, created_at timestamptz)
      ON CONFLICT (stream_id) DO UPDATE
         SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, created_at = EXCLUDED.created_at
       WHERE snapshots.version < EXCLUDED.version OR snapshots.schema_version <> EXCLUDED.schema_version
    )${ctes}
    INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
    SELECT idem_command_key(c.command_id), c.command_id, c.type, c.stream_ids, decode(c.fingerprint, 'hex'), c.status, c.outcome, c.created_at
      FROM jsonb_to_recordset($3::jsonb)
           AS c(command_id text, type text, stream_ids text[], fingerprint text, status text, outcome jsonb, created_at timestamptz)`;
  statements.set(projections, text);
  return text;
}

/** `INSERT … SELECT … FROM jsonb_to_recordset(<param>)` for one declared projection: the rows are one parameter. */
function projectionInsert(projection: InlineProjection, param: string): string {
  const names = Object.keys(projection.columns);
  const list = names.join(', ');
  const recordset = names.map((n) => `${n} ${projection.columns[n]}`).join(', ');
  const target = `ON CONFLICT (${projection.key.join(', ')})`;
  const { onConflict } = projection;
  const conflict =
    onConflict === 'error'
      ? ''
      : onConflict === 'nothing'
        ? `${target} DO NOTHING`
        : `${target} DO UPDATE SET ${onConflict.update}`;
  return `INSERT INTO ${projection.table} (${list}) SELECT ${list} FROM jsonb_to_recordset(${param}::jsonb) AS r(${recordset}) ${conflict}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
