import 'server-only';
import { Prisma } from '@/lib/generated/prisma/client';
import type { Sql } from '@/lib/db/prisma';
import { sortRows, type InlineProjection, type ProjectionWrite } from './inline-projection';
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
export async function commit(db: Sql, work: UnitOfWork): Promise<void> {
  const { command } = work;
  // Rows are written in one global order (stream id, then version; projections by key) by every
  // commit, so two commands over the same streams (a transfer A→B and one B→A) wait for each other
  // in the same order and never deadlock; the loser gets a unique violation and re-decides.
  const events = [...work.appends]
    .sort((a, b) => compare(a.streamId, b.streamId))
    .flatMap(({ streamId, expectedVersion, events: newEvents }) =>
      newEvents.map((event, index) => ({
        stream_id: streamId,
        version: expectedVersion + index + 1,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      })),
    );
  const snapshots = [...work.snapshots]
    .sort((a, b) => compare(a.streamId, b.streamId))
    .map((s) => ({ stream_id: s.streamId, version: s.version, schema_version: s.schemaVersion, state: s.state }));
  const projections = work.projections.map((projection, index) => {
    const rows = work.writes.filter((w) => w.projection === projection).flatMap((w) => w.rows);
    return Prisma.sql`, ${Prisma.raw(`projection_${index}`)} AS (${projectionInsert(projection, sortRows(projection, rows))})`;
  });
  const unknown = work.writes.find((w) => !work.projections.includes(w.projection));
  if (unknown) throw new Error(`Rows for ${unknown.projection.table}, which the command spec does not declare`);

  await db.$executeRaw`
    WITH new_events AS (
      INSERT INTO events (stream_id, version, type, data, metadata, command_id, created_at)
      SELECT e.stream_id, e.version, e.type, e.data, e.metadata, ${command.commandId}, ${command.createdAt}
        FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
             AS e(stream_id text, version int, type text, data jsonb, metadata jsonb)
    ),
    new_snapshots AS (
      INSERT INTO snapshots (stream_id, version, schema_version, state, created_at)
      SELECT s.stream_id, s.version, s.schema_version, s.state, ${command.createdAt}
        FROM jsonb_to_recordset(${JSON.stringify(snapshots)}::jsonb)
             AS s(stream_id text, version int, schema_version int, state jsonb)
      ON CONFLICT (stream_id) DO UPDATE
         SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, created_at = EXCLUDED.created_at
       WHERE snapshots.version < EXCLUDED.version OR snapshots.schema_version <> EXCLUDED.schema_version
    )${Prisma.join(projections, '')}
    INSERT INTO commands (command_id, type, stream_ids, fingerprint, status, outcome, created_at)
    VALUES (${command.commandId}, ${command.type}, ${command.streamIds}::text[], ${command.fingerprint},
            ${command.status}, ${JSON.stringify(command.outcome)}::jsonb, ${command.createdAt})`;
}

/** `INSERT … SELECT … FROM jsonb_to_recordset($n)` for one declared projection: the rows are one parameter. */
function projectionInsert(projection: InlineProjection, rows: unknown[]): Prisma.Sql {
  const names = Object.keys(projection.columns);
  const list = names.join(', ');
  const recordset = names.map((n) => `${n} ${projection.columns[n]}`).join(', ');
  const target = `ON CONFLICT (${projection.key.join(', ')})`;
  const { onConflict } = projection;
  const conflict = onConflict === 'error' ? '' : onConflict === 'nothing' ? `${target} DO NOTHING` : `${target} DO UPDATE SET ${onConflict.update}`;
  return Prisma.sql`${Prisma.raw(`INSERT INTO ${projection.table} (${list}) SELECT ${list} FROM jsonb_to_recordset(`)}${JSON.stringify(rows)}${Prisma.raw(
    `::jsonb) AS r(${recordset}) ${conflict}`,
  )}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
