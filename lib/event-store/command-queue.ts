import 'server-only';
import { AsyncResource } from 'node:async_hooks';
import type { Db } from '@/lib/db/prisma';
import { singleton } from '@/lib/singleton';
import { attempt } from './attempt';
import type { AnyCommandSpec, CommandResult, CommandSpec, ConflictObserver } from './command';
import { isConnectionError } from '@/lib/db/connection-errors';
import { backoff, isContended, isShared, markContended, markShared, sleep, type RetryPolicy } from './contention';
import type { Decisions } from './decisions';
import { COMMANDS_PKEY, counted, outOfAttempts, retryableConflict } from './outcomes';
import { writeConflictOf } from '@/lib/db/pg-errors';
import { takeTurns } from './stream-turns';
import type { LoadedStream } from './types';

// Group commit for commands on one stream each. A command that arrives while its process is
// already waiting on the database joins the next batch instead of taking a round trip of its own:
// a batch loads its streams in one statement, decides its commands in order (each on the state the
// commands before it left its stream, so the commands of a hot stream queue here, without a
// connection, instead of racing), and commits them all in ONE statement. A command that arrives
// when nothing is in flight forms a batch of one: load, commit, as before.
//
// Nothing here is trusted for correctness. A batch's commit is guarded by the same unique
// constraints as a single command's, so a batch decided on a state that another writer has moved
// on from fails as a whole; its commands are then retried one by one (a conflict, or any other
// failure, is then its own command's, not its neighbours'), except when the connection was lost:
// then nothing is known about any of them, and each says so. After a batch of ours committed, the
// streams that more commands already wait on are, as it left them, the state the next batch
// decides on (no load); if anyone else wrote meanwhile, that commit fails and is retried on fresh
// state. A command that finds nobody ahead of it always loads. A batch with commands retried after a
// conflict, or on streams that another writer (another process, a command over several streams)
// conflicted on moments ago, is loaded fresh under the streams' locks instead, so that writers take
// turns: BEGIN, lock, load, commit, COMMIT.

type AnyResult = CommandResult<unknown, unknown>;
type Waiter = {
  spec: AnyCommandSpec;
  policy: RetryPolicy;
  onConflict?: ConflictObserver;
  attempt: number;
  /** Retried after its batch failed: it goes alone, so a conflict or an error is its own. */
  alone: boolean;
  /** The caller's async context (traces, per-request state): its batch runs in the first waiter's. */
  scope: AsyncResource;
  resolve: (result: AnyResult) => void;
  reject: (error: unknown) => void;
};
/** A stream as this process's last commit left it, with the snapshot schema it was loaded with. */
type Known = { stream: LoadedStream; snapshotSchemaVersion: number | null };
type Queue = {
  waiters: Waiter[];
  waiting: Map<string, number>;
  inFlight: Set<string>;
  batches: number;
  known: Map<string, Known>;
  scheduled: boolean;
};

/** Commands decided and committed together at most (bounds the statement and the locks' hold time). */
export const MAX_BATCH = 64;
/** Batches in flight at once per process: one decides while another is in PostgreSQL. */
const MAX_BATCHES = 2;
/** Commands waiting per process at most: beyond it a command is answered `busy` at once (memory stays bounded). */
const MAX_WAITING = 10_000;
/** Commands waiting per stream per process at most: one flooded account cannot fill the queue for everyone. */
export const MAX_WAITING_PER_STREAM = 1_000;
/** Streams whose state is kept between batches at most (the oldest are forgotten first). */
const MAX_KNOWN = 1_000;

/** The process's own (Next bundles this module into several chunks): one queue per client. */
const queues = singleton('idem.command-queues', () => new WeakMap<Db, Queue>());

/** What the queue holds now (bounded; for tests and the benchmark's memory report). */
export const queueSize = (db: Db) => {
  const q = queues.get(db);
  return { waiting: q?.waiters.length ?? 0, knownStreams: q?.known.size ?? 0 };
};

/**
 * True when a command on `streamId` should try its luck at once (optimistic, two round trips)
 * rather than wait: another command of this process is already on the stream (waiting or in a
 * batch) but the stream is not known to be hot. The race tells: once it conflicts (or a batch
 * carries several commands of the stream), its commands wait their turn here.
 */
export function mayRace(db: Db, streamId: string): boolean {
  const queue = queues.get(db);
  return !!queue && (queue.inFlight.has(streamId) || queue.waiting.has(streamId)) && !isContended([streamId]);
}

export function enqueue<Result, Rejection>(
  db: Db,
  spec: CommandSpec<Result, Rejection>,
  policy: RetryPolicy,
  onConflict: ConflictObserver | undefined,
  attempt = 1,
): Promise<CommandResult<Result, Rejection>> {
  let queue = queues.get(db);
  if (!queue)
    queues.set(
      db,
      (queue = {
        waiters: [],
        waiting: new Map(),
        inFlight: new Set(),
        batches: 0,
        known: new Map(),
        scheduled: false,
      }),
    );
  if (queue.waiters.length >= MAX_WAITING || (queue.waiting.get(spec.streamIds[0]!) ?? 0) >= MAX_WAITING_PER_STREAM)
    return Promise.resolve({ status: 'busy', commandId: spec.commandId, attempts: attempt - 1 });
  const result = new Promise<AnyResult>((resolve, reject) =>
    wait(queue, [
      {
        spec: spec as AnyCommandSpec,
        policy,
        onConflict,
        attempt,
        alone: false,
        scope: new AsyncResource('IdemCommand'),
        resolve,
        reject,
      },
    ]),
  );
  schedule(db, queue);
  return result as Promise<CommandResult<Result, Rejection>>;
}

/** Waiters join the queue (at the front: they were already in line once). */
function wait(queue: Queue, waiters: Waiter[], front = false): void {
  for (const w of waiters) queue.waiting.set(w.spec.streamIds[0]!, (queue.waiting.get(w.spec.streamIds[0]!) ?? 0) + 1);
  if (front) queue.waiters.unshift(...waiters);
  else queue.waiters.push(...waiters);
}

/**
 * Batches form at the end of the current turn of the event loop: commands that arrive together (the
 * answers of one batch let their callers send the next commands at once) go together, instead of
 * the first one going alone and the rest waiting a round trip for it.
 */
function schedule(db: Db, queue: Queue): void {
  if (queue.scheduled) return;
  queue.scheduled = true;
  setImmediate(() => {
    queue.scheduled = false;
    pump(db, queue);
  });
}

function pump(db: Db, queue: Queue): void {
  while (queue.batches < MAX_BATCHES) {
    // Waiters on several streams are shared between the free batch slots (PostgreSQL commits one
    // while the process decides another); a stream's waiters are never split.
    const batch = takeBatch(queue, Math.ceil(queue.waiters.length / (MAX_BATCHES - queue.batches)));
    if (batch.length === 0) return;
    const streams = [...new Set(batch.map((w) => w.spec.streamIds[0]!))];
    for (const s of streams) queue.inFlight.add(s);
    queue.batches++;
    void batch[0]!.scope
      .runInAsyncScope(() => runBatch(db, queue, batch, streams))
      .catch((error: unknown) => batch.forEach((w) => w.reject(error)))
      .finally(() => {
        for (const s of streams) queue.inFlight.delete(s);
        queue.batches--;
        schedule(db, queue);
      });
  }
}

/**
 * The oldest waiters that can go together: not on a stream a batch in flight holds (their turn
 * comes after it; a stream's waiters stay in order), new streams only up to `share` commands,
 * sharing the first one's statement shape (snapshot schema, declared projections); a waiter
 * retried alone goes in a batch of its own, and a stream that another writer shares (its batch
 * waits for the stream's lock) goes without other streams: their commands never wait for its lock.
 */
function takeBatch(queue: Queue, share: number): Waiter[] {
  const batch: Waiter[] = [];
  const taken = new Set<string>();
  const skipped = new Set<string>();
  const rest: Waiter[] = [];
  const locking = new Map<string, boolean>();
  const locks = (stream: string) => locking.get(stream) ?? locking.set(stream, isShared([stream])).get(stream)!;
  for (const w of queue.waiters) {
    const stream = w.spec.streamIds[0]!;
    const first = batch[0];
    const fits =
      !queue.inFlight.has(stream) &&
      !skipped.has(stream) &&
      batch.length < MAX_BATCH &&
      (taken.has(stream) || batch.length < share) &&
      (!first ||
        (!first.alone &&
          !w.alone &&
          (taken.has(stream) || (!locks(stream) && !locks(first.spec.streamIds[0]!))) &&
          w.spec.snapshotSchemaVersion === first.spec.snapshotSchemaVersion &&
          w.spec.projections === first.spec.projections));
    if (fits) {
      batch.push(w);
      taken.add(stream);
    } else {
      skipped.add(stream);
      rest.push(w);
    }
  }
  queue.waiters = rest;
  for (const w of batch) {
    const stream = w.spec.streamIds[0]!;
    const left = (queue.waiting.get(stream) ?? 1) - 1;
    if (left > 0) queue.waiting.set(stream, left);
    else queue.waiting.delete(stream);
  }
  return batch;
}

async function runBatch(db: Db, queue: Queue, batch: Waiter[], streamIds: string[]): Promise<void> {
  const { snapshotSchemaVersion } = batch[0]!.spec;
  // Under the streams' locks, in a transaction: when another writer shares a stream, and for
  // commands retried after a conflict (like any queued retry: the lock lets them take turns).
  const locked = isShared(streamIds) || batch.some((w) => w.attempt > 1);
  let decided: Decisions;
  // A locked batch waits for this process's turn on its streams first, without a connection
  // (./stream-turns.ts): commands over several streams queue on the same locks.
  const passOn = locked ? await takeTurns(db, streamIds, true) : null;
  // What our last commit left of these streams (a batch that locks loads them fresh instead).
  const known = new Map<string, LoadedStream>();
  for (const id of streamIds) {
    const k = queue.known.get(id);
    if (k?.snapshotSchemaVersion === snapshotSchemaVersion) known.set(id, k.stream);
  }
  try {
    decided = await attempt(
      db,
      batch.map((w) => w.spec),
      streamIds,
      { locked, known },
    );
  } catch (error) {
    passOn?.();
    for (const id of streamIds) queue.known.delete(id);
    // The database unreachable, or the connection lost with the commit's answer: nothing is known
    // about these commands (the commit may have landed), so every one of them says so, like a single
    // command would (the API answers 503; the same key again replays whatever committed).
    if (isConnectionError(error)) {
      for (const w of batch) w.reject(error);
      return;
    }
    if (batch.length > 1 || !batch[0]!.alone) {
      // Whatever went wrong, find out whose it is: every command again, on its own.
      const conflict = writeConflictOf(error);
      if (conflict) for (const w of batch) w.onConflict?.(conflict, w.attempt);
      wait(
        queue,
        batch.map((w) => ({ ...w, alone: true })),
        true,
      );
      return;
    }
    return retryAlone(db, queue, batch[0]!, error, streamIds);
  }
  passOn?.();
  // Several commands of one stream in a batch: they arrive together, so the next ones should wait
  // for their turn rather than race (the hint would otherwise lapse while the queue serves them).
  const perStream = new Map<string, number>();
  for (const w of batch) perStream.set(w.spec.streamIds[0]!, (perStream.get(w.spec.streamIds[0]!) ?? 0) + 1);
  const hot = [...perStream].filter(([, n]) => n > 1).map(([id]) => id);
  if (hot.length > 0) markContended(hot);
  // Only for streams that others already wait on: the next batch continues from here. A command
  // that comes later, alone, loads its stream (and sees whatever happened to it meanwhile).
  for (const [id, stream] of decided.streams) {
    if (queue.waiting.has(id)) remember(queue, id, { stream, snapshotSchemaVersion });
    else queue.known.delete(id);
  }
  // Replays are counted after the commit, without holding up the next batch.
  batch.forEach((w, i) => {
    const r = decided.results[i]!;
    if ('error' in r) w.reject(r.error);
    else counted(db, r).then(w.resolve, w.reject);
  });
}

/** A command that failed on its own: a conflict is retried (with backoff when another writer shares the stream), anything else is its error. */
async function retryAlone(db: Db, queue: Queue, w: Waiter, error: unknown, streamIds: string[]): Promise<void> {
  const conflict = retryableConflict(w.spec, error);
  const duplicate = conflict.kind === 'unique' && conflict.constraint === COMMANDS_PKEY;
  // A command id that committed meanwhile needs only a fresh load (which replays it); a stream
  // another writer advanced makes this process take its lock for a moment.
  if (!duplicate) markShared(streamIds);
  w.onConflict?.(conflict, w.attempt);
  if (w.attempt >= w.policy.maxAttempts) return outOfAttempts(db, w.spec, w.policy).then(w.resolve, w.reject);
  if (!duplicate) await sleep(backoff(w.attempt, w.policy));
  wait(queue, [{ ...w, attempt: w.attempt + 1 }], true);
}

function remember(queue: Queue, streamId: string, known: Known): void {
  queue.known.delete(streamId); // re-inserted at the end: the map stays in least-recently-written order
  queue.known.set(streamId, known);
  if (queue.known.size > MAX_KNOWN) queue.known.delete(queue.known.keys().next().value!);
}
