import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, retryDelay } from './schedule';

describe('the retry schedule', () => {
  it('reads the default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('reads test schedules with spaces and milliseconds', () => {
    expect(parseRetrySchedule('1s, 2s,4s')).toEqual([1000, 2000, 4000]);
    expect(parseRetrySchedule('250ms')).toEqual([250]);
  });

  it.each(['', '5', '5 s', '1s,,2s', '-1s', '0s', '1d', '8000h', 'abc'])('refuses %j, naming the entry', (text) => {
    expect(() => parseRetrySchedule(text)).toThrow(/duration|more than 0/);
  });

  it('refuses more than 20 retries', () => {
    expect(() => parseRetrySchedule(Array(21).fill('1s').join(','))).toThrow(/at most 20/);
  });
});

describe('the delay after a failed attempt', () => {
  const schedule = [1000, 2000, 4000];

  it('follows the schedule, attempt by attempt, and gives up after the last', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, schedule, 0))).toEqual([1000, 2000, 4000, null]);
  });

  it('adds jitter of up to 10 %, never less than the schedule', () => {
    expect(retryDelay(2, schedule, 0.5)).toBe(2100);
    expect(retryDelay(2, schedule, 0.999_999)).toBe(2199);
    for (let i = 0; i < 100; i++) {
      const delay = retryDelay(3, schedule, Math.random())!;
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThan(4400);
    }
  });
});
