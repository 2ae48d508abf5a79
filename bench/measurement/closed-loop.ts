// Closed-loop load: `concurrency` workers each run one operation after another for a fixed time.
// An operation counts (throughput and latency) when it completes inside the measured window, which
// opens when the warm-up ends and closes at the deadline; no operation starts after the deadline.
import { performance } from 'node:perf_hooks';
import { histogram, type Histogram } from './hdr';

/** `failed`: the operation did not land (`busy`: the contender gave up retrying). */
export type OpOutcome = { conflicts: number; failed?: boolean; busy?: boolean };
/** One operation of worker `worker`; `seq` counts that worker's operations from 0. */
export type Op = (worker: number, seq: number) => Promise<OpOutcome>;

export type LoopResult = {
  ops: number;
  seconds: number;
  opsPerSecond: number;
  conflicts: number;
  failed: number;
  busy: number;
  /** Every operation the workers completed, warm-up and tail included (for per-operation ratios). */
  allOps: number;
  latency: Histogram;
};

export type LoopOptions = {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  op: Op;
  /** Called when the measured window opens and when it closes (e.g. to sample CPU). */
  onWindow?: (edge: 'open' | 'close') => void;
};

export async function closedLoop(options: LoopOptions): Promise<LoopResult> {
  const { concurrency, warmupMs, durationMs, op, onWindow } = options;
  const latency = histogram();
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const deadline = measureFrom + durationMs;
  const fired = new Set<'open' | 'close'>();
  const edge = (which: 'open' | 'close') => {
    if (fired.has(which)) return;
    fired.add(which);
    onWindow?.(which);
  };
  const timers = [setTimeout(() => edge('open'), warmupMs), setTimeout(() => edge('close'), warmupMs + durationMs)];
  let ops = 0;
  let conflicts = 0;
  let failed = 0;
  let busy = 0;
  let allOps = 0;
  const worker = async (index: number) => {
    for (let seq = 0; ; seq++) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      const outcome = await op(index, seq);
      const t1 = performance.now();
      allOps++;
      if (t1 >= measureFrom && t1 <= deadline) {
        latency.recordValue(Math.max(1, Math.round((t1 - t0) * 1000)));
        ops++;
        conflicts += outcome.conflicts;
        if (outcome.failed) failed++;
        if (outcome.busy) busy++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  for (const timer of timers) clearTimeout(timer);
  edge('open');
  edge('close');
  const seconds = durationMs / 1000;
  return { ops, seconds, opsPerSecond: ops / seconds, conflicts, failed, busy, allOps, latency };
}

/** Exponential backoff with full jitter: the policy Idem's handler uses (base 2 ms, cap 100 ms). */
export function backoffMs(attempt: number, baseMs = 2, capMs = 100): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
