import { afterEach, describe, expect, it, vi } from 'vitest';
import { isContended, markContended, MAX_ENTRIES, rememberedStreams } from './contention';

// The hints live in process memory: whatever the load, they must not grow without bound.
afterEach(() => vi.useRealTimers());

describe('contention hints', () => {
  it('remember a stream for a moment, then forget it', () => {
    vi.useFakeTimers();
    markContended(['stream-a']);
    expect(isContended(['stream-b', 'stream-a'])).toBe(true);
    vi.advanceTimersByTime(2_001);
    expect(isContended(['stream-a'])).toBe(false);
  });

  it('stay bounded when more streams conflict at once than they may remember: the oldest go first', () => {
    for (let i = 0; i < MAX_ENTRIES + 500; i++) markContended([`hot-${i}`]);
    expect(rememberedStreams().contended).toBeLessThanOrEqual(MAX_ENTRIES);
    expect(isContended([`hot-${MAX_ENTRIES + 499}`])).toBe(true);
    expect(isContended(['hot-0'])).toBe(false);
  });
});
