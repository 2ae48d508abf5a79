// The retry schedule as text, and the delay before each retry. Parsing only, no configuration
// (lib/config.ts validates with it, so it imports nothing of Idem's).

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: the Standard Webhooks reference schedule. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `1s,2s,4s` → [1000, 2000, 4000] (units ms, s, m, h); throws naming the first bad entry. */
export function parseRetrySchedule(text: string): number[] {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length > 20) throw new Error('at most 20 retries');
  return entries.map((entry) => {
    const match = /^(\d{1,7})(ms|s|m|h)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not a duration (like 5s, 30m or 2h)`);
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (ms <= 0 || ms > 7 * 24 * 3_600_000) throw new Error(`"${entry}" must be more than 0 and at most 7 days`);
    return ms;
  });
}

/**
 * When attempt number `attempt` (1 = the first) has failed: the delay before the next one, or null
 * when it was the last (the delivery is then failed). Jitter adds up to 10 % so that endpoints that
 * came back together are not retried in lockstep; `random` is in [0, 1).
 */
export function retryDelay(attempt: number, schedule: readonly number[], random: number): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return base + Math.floor(base * 0.1 * random);
}
