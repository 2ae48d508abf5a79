import 'server-only';
import type { Db } from '@/lib/db/prisma';
import { commandObserver, notify, observeStep, outcomeOf as outcomeLabel } from '@/lib/observability/command-observer';
import { attempt, attributesOf } from './attempt';
import { enqueue, mayRace } from './command-queue';
import type { CommandResult, CommandSpec, ConflictObserver } from './command';
import {
  backoff,
  defaultRetryPolicy,
  isContended,
  markContended,
  markShared,
  sleep,
  type RetryPolicy,
} from './contention';
import { counted, outOfAttempts, retryableConflict } from './outcomes';
import { takeTurns } from './stream-turns';

// Exactly-once command handling. The database decides: the command id is a primary key and every
// stream version is unique, and both are written in one statement. This module only interprets
// PostgreSQL's verdict: duplicate → replay the stored outcome; conflict → re-decide on fresh state.

export async function handleCommand<Result, Rejection>(
  db: Db,
  spec: CommandSpec<Result, Rejection>,
  policy: RetryPolicy = defaultRetryPolicy,
  onConflict?: ConflictObserver,
): Promise<CommandResult<Result, Rejection>> {
  // Observed once, around the command (lib/observability/command-observer.ts): one event when it
  // finishes, one per retried conflict, and a span around it (its steps are ./attempt.ts's).
  // Nothing here changes what the command does.
  const observer = commandObserver();
  const started = performance.now();
  let conflicts = 0;
  const result = await observeStep('command', attributesOf(spec), () =>
    runCommand(db, spec, policy, (conflict, attempt) => {
      conflicts += 1;
      notify(observer?.conflict, { kind: conflict.kind, type: spec.type, commandId: spec.commandId, attempt });
      onConflict?.(conflict, attempt);
    }),
  );
  const attempts = result.status === 'busy' ? result.attempts : conflicts + 1;
  notify(observer?.finished, {
    type: spec.type,
    commandId: spec.commandId,
    outcome: outcomeLabel(result),
    durationMs: performance.now() - started,
    attempts,
  });
  return result;
}

async function runCommand<Result, Rejection>(
  db: Db,
  spec: CommandSpec<Result, Rejection>,
  policy: RetryPolicy,
  onConflict: ConflictObserver,
): Promise<CommandResult<Result, Rejection>> {
  const single = spec.streamIds.length === 1;
  for (let n = 1; n <= policy.maxAttempts; n++) {
    // A command on one stream joins this process's next batch (./command-queue.ts): decided in
    // order with the commands waiting there, committed with them in one statement; alone, when
    // nothing else is waiting, in the same two round trips as ever. Only when a batch of ours
    // holds its stream and the stream is not known to be hot does it race instead (optimistic).
    // A command on several streams is optimistic first, then queues on the streams' locks.
    if (single && (n > 1 || !mayRace(db, spec.streamIds[0]!))) return enqueue(db, spec, policy, onConflict, n);
    // Queued on the streams' locks: this process's turn first (./stream-turns.ts), without a
    // connection, so a busy stream's writers never take more than one of the pool's connections.
    const queued = n > 1 || isContended(spec.streamIds);
    const passOn = queued ? await takeTurns(db, spec.streamIds) : null;
    if (queued && !passOn)
      return n === 1
        ? { status: 'busy', commandId: spec.commandId, attempts: 0 }
        : outOfAttempts(db, spec, { ...policy, maxAttempts: n - 1 });
    try {
      const decided = await attempt(db, [spec as CommandSpec<unknown, unknown>], spec.streamIds, { locked: !!passOn });
      const answer = decided.results[0]!;
      if ('error' in answer) throw answer.error;
      return await counted(db, answer as CommandResult<Result, Rejection>);
    } catch (error) {
      const conflict = retryableConflict(spec, error);
      // No lookup of the command here: the next attempt's load reads its row and replays a duplicate.
      markContended(spec.streamIds);
      // A command over several streams waits on their locks; batches on them must take turns with it.
      if (!single) markShared(spec.streamIds);
      onConflict(conflict, n);
    } finally {
      passOn?.();
    }
    if (n < policy.maxAttempts && !single) await sleep(backoff(n, policy));
  }
  return outOfAttempts(db, spec, policy);
}
