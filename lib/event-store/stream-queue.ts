import 'server-only';
import type { Db } from '@/lib/db/prisma';
import { backoff, isShared, markContended, markShared, sleep, type RetryPolicy } from './contention';
import type { CommandResult, CommandSpec, ConflictObserver } from './handler';
import { loadForCommands } from './load';
import { decideInSequence } from './decisions';
import { counted, outOfAttempts, retryableConflict } from './outcomes';
import { COMMANDS_PKEY } from './pg-errors';
import { inTransaction, sqlOf, type SqlClient } from './sql';
import { lockStreams } from './stream-lock';
import type { CommandRecord, LoadedStream } from './types';
import { commit } from './unit-of-work';

// A hot stream's queue in this process. Commands on one stream that would otherwise race (and all
// but one fail, re-read, retry) wait here without a connection; one drain at a time decides the
// waiting commands in sequence (each on the state the ones before it left) and commits them in ONE
// statement. Nothing here is trusted for correctness: a batch's commit is guarded by the same
// unique constraints as a single command's, so a batch decided on a state that another writer has
// moved on from fails as a whole and every command in it is decided again on fresh state.
//
// Round trips per batch: load + commit; after a batch of ours committed, the stream as it left it
// is the state the next batch decides on, so commit alone (if anyone else wrote meanwhile, the
// commit fails and the batch is loaded again). When another writer (another process, a transfer)
// advanced the stream under a batch, or conflicted on it, moments ago, batches queue on the
// stream's lock instead: BEGIN, lock, load, commit, COMMIT, so that writer gets its turn.

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
/** The stream as this process's last commit left it, and the snapshot schema it was loaded with. */
type Known = { stream: LoadedStream; snapshotSchemaVersion: number | null };

/** Commands decided and committed together at most (bounds the statement and the lock's hold time). */
export const MAX_BATCH = 64;
/** Waiters per stream and process at most: beyond it a command is answered `busy` at once (memory stays bounded). */
export const MAX_WAITING = 1_000;

const queues = new WeakMap<Db, Map<string, Queue>>();

/** Streams with a queue in this process (for tests and the benchmark's memory report). */
export const queuedStreams = (db: Db) => queues.get(db)?.size ?? 0;

/** A stream whose queue is draining: a new command on it joins the queue rather than race it. */
export const hasQueue = (db: Db, streamId: string) => queues.get(db)?.has(streamId) ?? false;

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
  let known: Known | null = null;
  while (queue.waiters.length > 0) {
    const batch = takeBatch(queue);
    try {
      known = await runBatch(db, streamId, batch, queue, known);
    } catch (error) {
      known = null;
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

/** Decides and commits one batch; returns the stream as the commit left it (null when it did not commit). */
async function runBatch(db: Db, streamId: string, batch: Waiter[], queue: Queue, known: Known | null): Promise<Known | null> {
  const { snapshotSchemaVersion, projections } = batch[0]!.spec;
  const locked = isShared([streamId]);
  const attempt = async (sql: SqlClient) => {
    if (locked) await lockStreams(sql, [streamId]);
    const cached = !locked && known?.snapshotSchemaVersion === snapshotSchemaVersion ? known.stream : null;
    const loaded = cached
      ? { commands: new Map<string, CommandRecord>(), stream: cached }
      : await loadForCommands(sql, [...new Set(batch.map((w) => w.spec.commandId))], [streamId], snapshotSchemaVersion).then((l) => ({ commands: l.commands, stream: l.streams.get(streamId)! }));
    const decided = decideInSequence(streamId, batch.map((w) => w.spec), loaded.commands, loaded.stream);
    if (decided.work.length > 0) await commit(sql, { projections, commands: decided.work });
    return decided;
  };
  let decided: Awaited<ReturnType<typeof attempt>>;
  try {
    decided = locked ? await inTransaction(db, attempt) : await attempt(sqlOf(db));
  } catch (error) {
    const conflict = retryableConflict(batch[0]!.spec, error);
    // A command id that committed meanwhile needs only a fresh load (which replays it); a stream
    // that another writer advanced makes the next batches queue on its lock.
    markContended([streamId]);
    if (!(conflict.kind === 'unique' && conflict.constraint === COMMANDS_PKEY)) markShared([streamId]);
    const again: Waiter[] = [];
    for (const w of batch) {
      w.onConflict?.(conflict, w.attempt);
      if (w.attempt < w.policy.maxAttempts) again.push({ ...w, attempt: w.attempt + 1 });
      else outOfAttempts(db, w.spec, w.policy).then(w.resolve, w.reject);
    }
    queue.waiters.unshift(...again);
    if (again.length > 0 && locked) await sleep(backoff(again[0]!.attempt - 1, again[0]!.policy));
    return null;
  }
  // Replays are counted after the commit, without holding up the next batch.
  batch.forEach((w, i) => {
    const r = decided.results[i]!;
    if ('error' in r) w.reject(r.error);
    else counted(db, r).then(w.resolve, w.reject);
  });
  return { stream: decided.stream, snapshotSchemaVersion };
}
