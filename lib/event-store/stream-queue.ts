import 'server-only';
import type { Db } from '@/lib/db/prisma';
import { backoff, markContended, sleep, type RetryPolicy } from './contention';
import type { CommandResult, CommandSpec, ConflictObserver } from './handler';
import { loadForCommands } from './load';
import { decideInSequence } from './decisions';
import { counted, outOfAttempts, retryableConflict } from './outcomes';
import { inTransaction } from './sql';
import { lockStreams } from './stream-lock';
import { commit } from './unit-of-work';

// A contended stream's queue in this process. Commands on one stream that would otherwise race
// (and all but one fail, re-read, retry) wait here without a connection; one drain at a time takes
// the stream's lock, loads once, decides the waiting commands in sequence (each on the state the
// ones before it left) and commits them in ONE statement. Nothing here is trusted for correctness:
// the batch's commit is guarded by the same unique constraints as a single command's, and a batch
// that loses a race to another process re-decides every command in it on fresh state.

type AnyResult = CommandResult<unknown, unknown>;
export type Waiter = {
  spec: CommandSpec<unknown, unknown>;
  policy: RetryPolicy;
  onConflict?: ConflictObserver;
  attempt: number;
  resolve: (result: AnyResult) => void;
  reject: (error: unknown) => void;
};
type Queue = { waiters: Waiter[]; draining: boolean };

/** Commands decided and committed together at most (bounds the statement and the lock's hold time). */
export const MAX_BATCH = 64;
/** Waiters per stream and process at most: beyond it a command is answered `busy` at once (memory stays bounded). */
export const MAX_WAITING = 1_000;

const queues = new WeakMap<Db, Map<string, Queue>>();

/** Streams with a queue in this process (for tests and the benchmark's memory report). */
export const queuedStreams = (db: Db) => queues.get(db)?.size ?? 0;

export function enqueue<Result, Rejection>(db: Db, spec: CommandSpec<Result, Rejection>, policy: RetryPolicy, onConflict: ConflictObserver | undefined, attempt: number): Promise<CommandResult<Result, Rejection>> {
  const streamId = spec.streamIds[0]!;
  let byStream = queues.get(db);
  if (!byStream) queues.set(db, (byStream = new Map()));
  let queue = byStream.get(streamId);
  if (!queue) byStream.set(streamId, (queue = { waiters: [], draining: false }));
  if (queue.waiters.length >= MAX_WAITING) return Promise.resolve({ status: 'busy', commandId: spec.commandId, attempts: attempt - 1 });
  const result = new Promise<AnyResult>((resolve, reject) => queue.waiters.push({ spec: spec as CommandSpec<unknown, unknown>, policy, onConflict, attempt, resolve, reject }));
  if (!queue.draining) {
    queue.draining = true;
    void drain(db, streamId, queue, byStream);
  }
  return result as Promise<CommandResult<Result, Rejection>>;
}

async function drain(db: Db, streamId: string, queue: Queue, byStream: Map<string, Queue>): Promise<void> {
  while (queue.waiters.length > 0) {
    const batch = takeBatch(queue);
    try {
      await runBatch(db, streamId, batch, queue);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
  // No await since the loop's last check: nothing can have joined in between.
  queue.draining = false;
  byStream.delete(streamId);
}

/** The first waiters that share a statement shape (snapshot schema and declared projections). */
function takeBatch(queue: Queue): Waiter[] {
  const first = queue.waiters[0]!.spec;
  const batch: Waiter[] = [];
  const rest: Waiter[] = [];
  for (const w of queue.waiters) {
    const fits = batch.length < MAX_BATCH && w.spec.snapshotSchemaVersion === first.snapshotSchemaVersion && w.spec.projections === first.projections;
    (fits ? batch : rest).push(w);
  }
  queue.waiters = rest;
  return batch;
}

async function runBatch(db: Db, streamId: string, batch: Waiter[], queue: Queue): Promise<void> {
  let results: (AnyResult | { error: unknown })[];
  try {
    results = await inTransaction(db, async (tx) => {
      await lockStreams(tx, [streamId]);
      const loaded = await loadForCommands(tx, [...new Set(batch.map((w) => w.spec.commandId))], [streamId], batch[0]!.spec.snapshotSchemaVersion);
      const { results: decided, work } = decideInSequence(streamId, batch.map((w) => w.spec), loaded.commands, loaded.streams.get(streamId)!);
      if (work.length > 0) await commit(tx, { projections: batch[0]!.spec.projections, commands: work });
      return decided;
    });
  } catch (error) {
    const conflict = retryableConflict(batch[0]!.spec, error);
    markContended([streamId]);
    const again: Waiter[] = [];
    for (const w of batch) {
      w.onConflict?.(conflict, w.attempt);
      if (w.attempt < w.policy.maxAttempts) again.push({ ...w, attempt: w.attempt + 1 });
      else outOfAttempts(db, w.spec, w.policy).then(w.resolve, w.reject);
    }
    queue.waiters.unshift(...again);
    if (again.length > 0) await sleep(backoff(again[0]!.attempt - 1, again[0]!.policy));
    return;
  }
  // Replays are counted after the commit, without holding up the next batch.
  batch.forEach((w, i) => {
    const r = results[i]!;
    if ('error' in r) w.reject(r.error);
    else counted(db, r).then(w.resolve, w.reject);
  });
}
