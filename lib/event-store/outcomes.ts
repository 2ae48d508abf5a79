import 'server-only';
import type { Db } from '@/lib/db/prisma';
import { errorFields, log } from '@/lib/observability/log';
import type { AnyCommandSpec, CommandResult, CommandSpec } from './command';
import { replay } from './decisions';
import { countReplay, loadForCommand } from './load';
import { writeConflictOf, type WriteConflict } from '@/lib/db/pg-errors';
import type { RetryPolicy } from './contention';

// What the handler and the stream queue both do with PostgreSQL's verdict and with replays.

export const COMMANDS_PKEY = 'commands_pkey';

/**
 * The real guard of every stream: another command advanced it first. Inline projections keyed by
 * stream version add their own constraints (InlineProjection.streamVersionConstraints), since
 * PostgreSQL may check one of those first and report it instead.
 */
const EVENTS_STREAM_VERSION_CONSTRAINT = 'events_stream_id_version_key';

/** Counting a replay is best effort: the answer is already decided and must not fail for it. */
export async function counted<R extends CommandResult<unknown, unknown>>(db: Db, result: R): Promise<R> {
  if (!('replayed' in result) || !result.replayed) return result;
  try {
    await countReplay(db, result.commandId);
  } catch (error) {
    log().warn({ commandId: result.commandId, ...errorFields(error) }, 'could not count a replay');
  }
  return result;
}

/**
 * PostgreSQL's verdict when it is one to retry on: the command id committed meanwhile (the next
 * attempt's load replays it) or another command advanced a stream first. Anything else is a bug or
 * an outage, and is rethrown.
 */
export function retryableConflict(spec: AnyCommandSpec, error: unknown): WriteConflict {
  const conflict = writeConflictOf(error);
  if (!conflict) throw error;
  if (
    conflict.kind === 'unique' &&
    conflict.constraint !== COMMANDS_PKEY &&
    !isStreamVersionConstraint(spec, conflict.constraint)
  )
    throw error;
  return conflict;
}

function isStreamVersionConstraint(spec: AnyCommandSpec, constraint: string | null): boolean {
  if (constraint === EVENTS_STREAM_VERSION_CONSTRAINT) return true;
  return constraint !== null && spec.projections.some((p) => p.streamVersionConstraints?.includes(constraint));
}

/** Out of attempts: a command that committed meanwhile is replayed, never hidden behind `busy`. */
export async function outOfAttempts<Result, Rejection>(
  db: Db,
  spec: CommandSpec<Result, Rejection>,
  policy: RetryPolicy,
): Promise<CommandResult<Result, Rejection>> {
  const { command: recorded, streams } = await loadForCommand(
    db,
    spec.commandId,
    spec.streamIds,
    spec.snapshotSchemaVersion,
  );
  if (recorded) return counted(db, replay(spec, recorded, streams));
  return { status: 'busy', commandId: spec.commandId, attempts: policy.maxAttempts };
}
