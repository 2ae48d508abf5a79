// In-process hints about contention. Only hints: correctness never depends on them (the unique
// constraints decide), and another instance without them is just as safe, only slower.

/**
 * Streams that conflicted in this process in the last CONTENDED_FOR_MS: commands on them skip the
 * optimistic attempt and queue at once (bench/RESULTS.md). Bounded: past MAX_ENTRIES, expired
 * entries are swept, then the oldest go.
 */
const CONTENDED_FOR_MS = 2_000;
const MAX_ENTRIES = 10_000;
const contendedUntil = new Map<string, number>();

export function markContended(streamIds: string[]): void {
  const until = Date.now() + CONTENDED_FOR_MS;
  for (const id of streamIds) {
    contendedUntil.delete(id); // re-inserted at the end: the map stays in expiry order
    contendedUntil.set(id, until);
  }
  if (contendedUntil.size > MAX_ENTRIES) {
    const now = Date.now();
    for (const [id, t] of contendedUntil) {
      if (t >= now && contendedUntil.size <= MAX_ENTRIES) break;
      contendedUntil.delete(id);
    }
  }
}

export function isContended(streamIds: string[]): boolean {
  const now = Date.now();
  return streamIds.some((id) => (contendedUntil.get(id) ?? 0) > now);
}

/** How many streams are remembered (for tests and the benchmark's memory report). */
export const contendedStreams = () => contendedUntil.size;

export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 30, baseDelayMs: 2, maxDelayMs: 100 };

/** Exponential backoff with full jitter, so contenders spread out instead of colliding again. */
export function backoff(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
