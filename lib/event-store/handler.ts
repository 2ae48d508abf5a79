import 'server-only';
import type { Db, Sql } from '@/lib/db/prisma';
import { commandObserver, notify, observeStep, outcomeOf } from '@/lib/observability/command-observer';
import { errorFields, log } from '@/lib/observability/log';
import type { InlineProjection, ProjectionWrite } from './inline-projection';
import { countReplay, findCommand, loadForCommand } from './load';
import { EVENTS_STREAM_VERSION_CONSTRAINT, writeConflictOf, type WriteConflict } from './pg-errors';
import { lockStreams } from './stream-lock';
import type { CommandRecord, LoadedStream, SnapshotWrite, StoredOutcome, StreamAppend } from './types';
import { commit } from './unit-of-work';

// Exactly-once command handling. The database decides: the command id is a primary key and every
// stream version is unique, and both are written in one statement. This module only interprets
// PostgreSQL's verdict: duplicate → replay the stored outcome; conflict → re-decide on fresh state.

export type CommandResult<Result, Rejection> =
  | (StoredOutcome<Result, Rejection> & { commandId: string; replayed: boolean })
  | { status: 'key-reused'; commandId: string; originalType: string }
  | { status: 'busy'; commandId: string; attempts: number };

export type Work = { appends: StreamAppend[]; projections: ProjectionWrite[]; snapshots: SnapshotWrite[] };

export type Decided<Result, Rejection> = { status: 'accepted'; result: Result; work: Work } | { status: 'rejected'; rejection: Rejection };

/** What a module hands the engine for one command: everything the engine knows of its domain. */
export type CommandSpec<Result, Rejection> = {
  commandId: string;
  type: string;
  /** sha256 of the normalized client request (./fingerprint.ts): a reused key with another request is refused. */
  fingerprint: string;
  streamIds: string[];
  at: Date;
  /** Load snapshots of this schema version (null: always replay from version 1). */
  snapshotSchemaVersion: number | null;
  /** The inline projections this command may write (all of them are part of its one statement). */
  projections: readonly InlineProjection[];
  /** Pure: given the current state of `streamIds`, what happens. Called again after a conflict. */
  decide: (streams: Map<string, LoadedStream>) => Decided<Result, Rejection>;
};

export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 30, baseDelayMs: 2, maxDelayMs: 100 };

/** Called on every write conflict that leads to a retry (for metrics, logs and tests). */
export type ConflictObserver = (conflict: WriteConflict, attempt: number) => void;

export async function handleCommand<Result, Rejection>(
  db: Db,
  spec: CommandSpec<Result, Rejection>,
  policy: RetryPolicy = defaultRetryPolicy,
  onConflict?: ConflictObserver,
): Promise<CommandResult<Result, Rejection>> {
  // Observability (lib/observability/command-observer.ts): one event per finished command, one per
  // retried conflict, and the steps as spans. Nothing here changes what the command does.
  const observer = commandObserver();
  const started = performance.now();
  let conflicts = 0;
  const result = await observeStep('command', { 'idem.command_id': spec.commandId, 'idem.command_type': spec.type }, () =>
    runCommand(db, spec, policy, (conflict, attempt) => {
      conflicts += 1;
      notify(observer?.conflict, { kind: conflict.kind, type: spec.type, commandId: spec.commandId, attempt });
      onConflict?.(conflict, attempt);
    }),
  );
  const attempts = result.status === 'busy' ? result.attempts : conflicts + 1;
  notify(observer?.finished, { type: spec.type, commandId: spec.commandId, outcome: outcomeOf(result), durationMs: performance.now() - started, attempts });
  return result;
}

async function runCommand<Result, Rejection>(
  db: Db,
  spec: CommandSpec<Result, Rejection>,
  policy: RetryPolicy,
  onConflict: ConflictObserver,
): Promise<CommandResult<Result, Rejection>> {
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    try {
      // Optimistic first (two round trips, no transaction held open) unless a stream is contended:
      // after a conflict, and for streams that conflicted in this process moments ago, queue on the
      // stream's lock instead — fresh optimistic attempts would overtake the queue and fail it.
      const queued = attempt > 1 || isContended(spec.streamIds);
      const done = queued
        ? await db.$transaction(async (tx) => {
            await lockStreams(tx, spec.streamIds);
            return attemptOnce(tx, spec);
          }, QUEUED_TRANSACTION)
        : await attemptOnce(db, spec);
      return await counted(db, done);
    } catch (error) {
      const conflict = writeConflictOf(error);
      if (!conflict) throw error;
      // Whichever constraint PostgreSQL reported, the command table is the authority on whether
      // this command id committed meanwhile (both constraints can fire; PostgreSQL names one).
      const recorded = await findCommand(db, spec.commandId);
      if (recorded) return await counted(db, replay(spec, recorded));
      // Not a stream conflict (or a duplicate key that is not in the table after all): a real bug.
      if (conflict.kind === 'unique' && !isStreamVersionConstraint(spec, conflict.constraint)) throw error;
      markContended(spec.streamIds);
      onConflict(conflict, attempt);
      if (attempt < policy.maxAttempts) await sleep(backoff(attempt, policy));
    }
  }
  return { status: 'busy', commandId: spec.commandId, attempts: policy.maxAttempts };
}

const QUEUED_TRANSACTION = { maxWait: 10_000, timeout: 20_000 };

function isStreamVersionConstraint(spec: CommandSpec<unknown, unknown>, constraint: string | null): boolean {
  if (constraint === EVENTS_STREAM_VERSION_CONSTRAINT) return true;
  return constraint !== null && spec.projections.some((p) => p.streamVersionConstraints?.includes(constraint));
}

/**
 * Streams that conflicted in this process in the last CONTENDED_FOR_MS: only a hint for choosing
 * the queued path at once (see bench/RESULTS.md); correctness never depends on it — another
 * instance without the hint is still safe. Bounded: expired entries are swept past 10,000.
 */
const CONTENDED_FOR_MS = 2_000;
const contendedUntil = new Map<string, number>();

function markContended(streamIds: string[]): void {
  const until = Date.now() + CONTENDED_FOR_MS;
  for (const id of streamIds) contendedUntil.set(id, until);
  if (contendedUntil.size > 10_000) {
    const now = Date.now();
    for (const [id, t] of contendedUntil) if (t < now) contendedUntil.delete(id);
  }
}

function isContended(streamIds: string[]): boolean {
  const now = Date.now();
  return streamIds.some((id) => (contendedUntil.get(id) ?? 0) > now);
}

/** Load, decide, commit: two round trips when nothing conflicts. */
async function attemptOnce<Result, Rejection>(sql: Sql, spec: CommandSpec<Result, Rejection>): Promise<CommandResult<Result, Rejection>> {
  const attributes = { 'idem.command_id': spec.commandId, 'idem.command_type': spec.type };
  const loaded = await observeStep('load', attributes, () => loadForCommand(sql, spec.commandId, spec.streamIds, spec.snapshotSchemaVersion));
  if (loaded.command) return replay(spec, loaded.command);

  const decided = await observeStep('decide', attributes, async () => spec.decide(loaded.streams));
  const outcome: StoredOutcome<Result, Rejection> =
    decided.status === 'accepted' ? { status: 'accepted', result: decided.result } : { status: 'rejected', rejection: decided.rejection };
  const work: Work = decided.status === 'accepted' ? decided.work : { appends: [], projections: [], snapshots: [] };
  await observeStep('commit', { ...attributes, 'idem.outcome': outcome.status }, () =>
    commit(sql, {
      command: {
        commandId: spec.commandId,
        type: spec.type,
        streamIds: spec.streamIds,
        fingerprint: spec.fingerprint,
        status: outcome.status,
        outcome,
        createdAt: spec.at,
      },
      appends: work.appends,
      projections: spec.projections,
      writes: work.projections,
      snapshots: work.snapshots,
    }),
  );
  return { ...outcome, commandId: spec.commandId, replayed: false };
}

/** Counting a replay is best effort: the answer is already decided and must not fail for it. */
async function counted<R extends CommandResult<unknown, unknown>>(db: Db, result: R): Promise<R> {
  if (!('replayed' in result) || !result.replayed) return result;
  try {
    await countReplay(db, result.commandId);
  } catch (error) {
    log().warn({ commandId: result.commandId, ...errorFields(error) }, 'could not count a replay');
  }
  return result;
}

function replay<Result, Rejection>(spec: CommandSpec<Result, Rejection>, recorded: CommandRecord): CommandResult<Result, Rejection> {
  if (recorded.fingerprint !== spec.fingerprint || recorded.type !== spec.type) {
    return { status: 'key-reused', commandId: spec.commandId, originalType: recorded.type };
  }
  const outcome = recorded.outcome as StoredOutcome<Result, Rejection>;
  return { ...outcome, commandId: spec.commandId, replayed: true };
}

/** Exponential backoff with full jitter, so contenders spread out instead of colliding again. */
function backoff(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
