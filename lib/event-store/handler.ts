import 'server-only';
import type { Db } from '@/lib/db/prisma';
import { commandObserver, notify, observeStep, outcomeOf as outcomeLabel } from '@/lib/observability/command-observer';
import { backoff, defaultRetryPolicy, isContended, markContended, markShared, sleep, type RetryPolicy } from './contention';
import type { InlineProjection, ProjectionWrite } from './inline-projection';
import { loadForCommand } from './load';
import { outcomeOf, replay, workOf } from './decisions';
import { counted, outOfAttempts, retryableConflict } from './outcomes';
import type { WriteConflict } from './pg-errors';
import { inTransaction, sqlOf, type SqlClient } from './sql';
import { lockStreams } from './stream-lock';
import { takeTurns } from './stream-turns';
import { enqueue, mayRace } from './command-queue';
import type { LoadedStream, SnapshotWrite, StoredOutcome, StreamAppend } from './types';
import { commit } from './unit-of-work';

// Exactly-once command handling. The database decides: the command id is a primary key and every
// stream version is unique, and both are written in one statement. This module only interprets
// PostgreSQL's verdict: duplicate → replay the stored outcome; conflict → re-decide on fresh state.

export type CommandResult<Result, Rejection> =
  | (StoredOutcome<Result, Rejection> & { commandId: string; replayed: boolean })
  | { status: 'key-reused'; commandId: string; originalType: string }
  | { status: 'busy'; commandId: string; attempts: number };

type Work = { appends: StreamAppend[]; projections: ProjectionWrite[]; snapshots: SnapshotWrite[] };

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

export type { RetryPolicy } from './contention';
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
  notify(observer?.finished, { type: spec.type, commandId: spec.commandId, outcome: outcomeLabel(result), durationMs: performance.now() - started, attempts });
  return result;
}

async function runCommand<Result, Rejection>(
  db: Db,
  spec: CommandSpec<Result, Rejection>,
  policy: RetryPolicy,
  onConflict: ConflictObserver,
): Promise<CommandResult<Result, Rejection>> {
  const single = spec.streamIds.length === 1;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    // A command on one stream joins this process's next batch (./command-queue.ts): decided in
    // order with the commands waiting there, committed with them in one statement; alone, when
    // nothing else is waiting, in the same two round trips as ever. Only when a batch of ours
    // holds its stream and the stream is not known to be hot does it race instead (optimistic).
    // A command on several streams is optimistic first, then queues on the streams' locks.
    if (single && (attempt > 1 || !mayRace(db, spec.streamIds[0]!))) return enqueue(db, spec, policy, onConflict, attempt);
    // Queued on the streams' locks: this process's turn first (./stream-turns.ts), without a
    // connection, so a busy stream's writers never take more than one of the pool's connections.
    const queued = attempt > 1 || isContended(spec.streamIds);
    const passOn = queued ? await takeTurns(db, spec.streamIds) : null;
    if (queued && !passOn)
      return attempt === 1 ? { status: 'busy', commandId: spec.commandId, attempts: 0 } : outOfAttempts(db, spec, { ...policy, maxAttempts: attempt - 1 });
    try {
      const done = passOn
        ? await inTransaction(db, async (tx) => {
            await lockStreams(tx, spec.streamIds);
            return attemptOnce(tx, spec);
          })
        : await attemptOnce(sqlOf(db), spec);
      return await counted(db, done);
    } catch (error) {
      const conflict = retryableConflict(spec, error);
      // No lookup of the command here: the next attempt's load reads its row and replays a duplicate.
      markContended(spec.streamIds);
      // A command over several streams waits on their locks; batches on them must take turns with it.
      if (!single) markShared(spec.streamIds);
      onConflict(conflict, attempt);
    } finally {
      passOn?.();
    }
    if (attempt < policy.maxAttempts && !single) await sleep(backoff(attempt, policy));
  }
  return outOfAttempts(db, spec, policy);
}

/** Load, decide, commit: two round trips when nothing conflicts. */
async function attemptOnce<Result, Rejection>(sql: SqlClient, spec: CommandSpec<Result, Rejection>): Promise<CommandResult<Result, Rejection>> {
  const attributes = { 'idem.command_id': spec.commandId, 'idem.command_type': spec.type };
  const loaded = await observeStep('load', attributes, () => loadForCommand(sql, spec.commandId, spec.streamIds, spec.snapshotSchemaVersion));
  if (loaded.command) return replay(spec, loaded.command);
  const decided = await observeStep('decide', attributes, async () => spec.decide(loaded.streams));
  const work = workOf(spec, decided);
  await observeStep('commit', { ...attributes, 'idem.outcome': decided.status }, () => commit(sql, { projections: spec.projections, commands: [work] }));
  return { ...outcomeOf(decided), commandId: spec.commandId, replayed: false };
}
