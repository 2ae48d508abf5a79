// In-process hints about contention. Only hints: correctness never depends on them (the unique
// constraints decide), and another instance without them is just as safe, only slower.
import { singleton } from '@/lib/singleton';

/** Stream ids remembered for HINT_FOR_MS. Bounded: past MAX_ENTRIES, expired ids are swept, then the oldest go. */
class ExpiringIds {
  private readonly until = new Map<string, number>();
  mark(ids: string[]): void {
    const until = Date.now() + HINT_FOR_MS;
    for (const id of ids) {
      this.until.delete(id); // re-inserted at the end: the map stays in expiry order
      this.until.set(id, until);
    }
    if (this.until.size > MAX_ENTRIES) {
      const now = Date.now();
      for (const [id, t] of this.until) {
        if (t >= now && this.until.size <= MAX_ENTRIES) break;
        this.until.delete(id);
      }
    }
  }
  has(ids: string[]): boolean {
    const now = Date.now();
    return ids.some((id) => (this.until.get(id) ?? 0) > now);
  }
  get size(): number {
    return this.until.size;
  }
}

const HINT_FOR_MS = 2_000;
export const MAX_ENTRIES = 10_000;

/** Streams that conflicted in this process moments ago: commands on them skip the optimistic attempt and queue at once. */
// The process's own (Next bundles this module into several chunks).
const hints = singleton('idem.contention', () => ({ contended: new ExpiringIds(), shared: new ExpiringIds() }));
const contended = hints.contended;
/**
 * Streams that another writer (another process, a command over several streams) advanced under a
 * batch of this process's queue, or conflicted on, moments ago: batches queue on the stream's lock
 * so that writer gets its turn, instead of deciding on the state our last commit left.
 */
const shared = hints.shared;

export const markContended = (streamIds: string[]) => contended.mark(streamIds);
export const isContended = (streamIds: string[]) => contended.has(streamIds);
export const markShared = (streamIds: string[]) => shared.mark(streamIds);
export const isShared = (streamIds: string[]) => shared.has(streamIds);

/** How many streams the hints remember (bounded; for tests and the benchmark's memory report). */
export const rememberedStreams = () => ({ contended: contended.size, shared: shared.size });

export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 30, baseDelayMs: 2, maxDelayMs: 100 };

/** Exponential backoff with full jitter, so contenders spread out instead of colliding again. */
export function backoff(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
