import 'server-only';
import { sortRows, type InlineProjection, type ProjectionWrite } from './inline-projection';
import type { SqlClient } from './sql';
import type { CommandRecord, SnapshotWrite, StreamAppend } from './types';

/** The command record as the unit of work writes it (its `createdAt` is the command's time). */
export type NewCommandRecord = CommandRecord;

export type UnitOfWork = {
  command: NewCommandRecord;
  appends: StreamAppend[];
  /** Every projection the spec declares, written even when it has no rows (one statement text). */
  projections: readonly InlineProjection[];
  writes: ProjectionWrite[];
  snapshots: SnapshotWrite[];
};

/**
 * Commits the command record, the events of every stream (each at its expected version + 1, + 2, …),
 * the inline projections and any snapshots in ONE statement, which PostgreSQL runs as one
 * transaction: all of it lands or none of it does. A duplicate command id violates `commands_pkey`;
 * another command that advanced a stream violates `events_stream_id_version_key` (or a projection's
 * version-keyed constraint, whichever PostgreSQL checks first). One round trip, no interactive
 * transaction holding a pooled connection between statements.
 */
export async function commit(sql: SqlClient, work: UnitOfWork): Promise<void> {
  const { command } = work;
  // Rows are written in one global order (stream id, then version; projections by key) by every
  // commit, so two commands over the same streams (a transfer A→B and one B→A) wait for each other
  // in the same order and never deadlock; the loser gets a unique violation and re-decides.
  const events = [...work.appends]
    .sort((a, b) => compare(a.streamId, b.streamId))
    .flatMap(({ streamId, expectedVersion, events: newEvents }) =>
      newEvents.map((event, index) => ({ stream_id: streamId, version: expectedVersion + index + 1, type: event.type, data: event.data, metadata: event.metadata })),
    );
  const snapshots = [...work.snapshots]
    .sort((a, b) => compare(a.streamId, b.streamId))
    .map((s) => ({ stream_id: s.streamId, version: s.version, schema_version: s.schemaVersion, state: s.state }));
  const unknown = work.writes.find((w) => !work.projections.includes(w.projection));
  if (unknown) throw new Error(`Rows for ${unknown.projection.table}, which the command spec does not declare`);
  const projectionRows = work.projections.map((projection) => JSON.stringify(sortRows(projection, work.writes.filter((w) => w.projection === projection).flatMap((w) => w.rows))));
  await sql.query({
    text: commitStatement(work.projections),
    values: [
      JSON.stringify(events),
      command.commandId,
      command.createdAt,
      JSON.stringify(snapshots),
      command.type,
      command.streamIds,
      command.fingerprint,
      command.status,
      JSON.stringify(command.outcome),
      ...projectionRows,
    ],
  });
}

const statements = new WeakMap<readonly InlineProjection[], string>();

/** The commit statement for a set of declared projections: the same text for every command of a spec. */
function commitStatement(projections: readonly InlineProjection[]): string {
  let text = statements.get(projections);
  if (text !== undefined) return text;
  const ctes = projections.map((projection, index) => `, projection_${index} AS (${projectionInsert(projection, `$${10 + index}`)})`).join('');
  text = `WITH new_events AS (
      INSERT INTO events (stream_id, version, type, data, metadata, command_id, created_at)
      SELECT e.stream_id, e.version, e.type, e.data, e.metadata, $2::text, $3::timestamptz
        FROM jsonb_to_recordset($1::jsonb)
             AS e(stream_id text, version int, type text, data jsonb, metadata jsonb)
    ),
    new_snapshots AS (
      INSERT INTO snapshots (stream_id, version, schema_version, state, created_at)
      SELECT s.stream_id, s.version, s.schema_version, s.state, $3::timestamptz
        FROM jsonb_to_recordset($4::jsonb)
             AS s(stream_id text, version int, schema_version int, state jsonb)
      ON CONFLICT (stream_id) DO UPDATE
         SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, created_at = EXCLUDED.created_at
       WHERE snapshots.version < EXCLUDED.version OR snapshots.schema_version <> EXCLUDED.schema_version
    )${ctes}
    INSERT INTO commands (command_id, type, stream_ids, fingerprint, status, outcome, created_at)
    VALUES ($2::text, $5::text, $6::text[], $7::text, $8::text, $9::jsonb, $3::timestamptz)`;
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
  const conflict = onConflict === 'error' ? '' : onConflict === 'nothing' ? `${target} DO NOTHING` : `${target} DO UPDATE SET ${onConflict.update}`;
  return `INSERT INTO ${projection.table} (${list}) SELECT ${list} FROM jsonb_to_recordset(${param}::jsonb) AS r(${recordset}) ${conflict}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
