// Turns on a stream within this process, taken BEFORE a pooled connection. A writer that queues on
// a stream's lock (./stream-lock.ts) holds a connection inside a transaction while it waits; if
// every writer of a busy stream did that, one flooded account could take the whole pool and every
// other account would wait for a connection (and get a 503). So one writer per stream per process
// waits in PostgreSQL; the others wait here, in line, holding nothing, and at most MAX_TURN_WAITERS
// of them: beyond that a command is answered `busy` at once. Only a queue, like the lock: the
// unique constraints still decide. Several streams are taken in sorted order (no cycles); a stream
// nobody holds or waits for is forgotten (nothing grows with the number of streams ever seen).
import { singleton } from '@/lib/singleton';

/** Writers of one stream waiting for their turn in one process, at most. */
export const MAX_TURN_WAITERS = 1_000;

type Line = { waiters: (() => void)[] };
/** Per client (one per process, or per simulated process in tests), per stream: the line behind the holder. */
// The process's own (Next bundles this module into several chunks), and so is the bound.
const lines = singleton('idem.stream-turns', () => new WeakMap<object, Map<string, Line>>());

/** Streams with a holder in this process (bounded by the streams in use; for tests and the memory report). */
export const streamsInTurn = (owner: object) => lines.get(owner)?.size ?? 0;

/**
 * Waits for this process's turn on every stream of `streamIds` (FIFO per stream) and returns the
 * function that passes them on; null when a stream already has MAX_TURN_WAITERS in line (`unbounded`:
 * the command queue, which sends at most one batch per stream, is never refused).
 */
export async function takeTurns(
  owner: object,
  streamIds: readonly string[],
  unbounded = false,
): Promise<(() => void) | null> {
  let streams = lines.get(owner);
  if (!streams) lines.set(owner, (streams = new Map()));
  const held: string[] = [];
  const passOn = () => {
    for (const id of held.splice(0)) {
      const line = streams.get(id)!;
      const next = line.waiters.shift();
      if (next)
        next(); // the turn goes straight to the next in line: nobody overtakes
      else streams.delete(id);
    }
  };
  for (const id of [...new Set(streamIds)].sort()) {
    const line = streams.get(id);
    if (!line) streams.set(id, { waiters: [] });
    else if (!unbounded && line.waiters.length >= MAX_TURN_WAITERS) {
      passOn();
      return null;
    } else await new Promise<void>((resolve) => line.waiters.push(resolve));
    held.push(id);
  }
  return passOn;
}
