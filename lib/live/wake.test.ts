import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveWaker, WAKE_WINDOW_MS } from './wake';

// The wake-up after a commit: the commits of a few milliseconds share one NOTIFY, sent outside them.

afterEach(() => vi.useRealTimers());

function fakePool() {
  const sent: string[] = [];
  const pool = { query: async (text: string) => void sent.push(text) } as unknown as pg.Pool;
  return { sent, pool: () => pool };
}

describe('liveWaker', () => {
  it('sends one NOTIFY for the commits of a window, and another for the next', async () => {
    vi.useFakeTimers();
    const { sent, pool } = fakePool();
    const waker = liveWaker(pool);
    for (let i = 0; i < 10; i++) waker.eventsCommitted();
    expect(sent).toEqual([]); // never inside a commit: after the window
    await vi.advanceTimersByTimeAsync(WAKE_WINDOW_MS);
    expect(sent).toEqual([`SELECT pg_notify('idem_events', '')`]);
    await vi.advanceTimersByTimeAsync(WAKE_WINDOW_MS * 10);
    expect(sent).toHaveLength(1); // nothing committed, nothing sent
    waker.eventsCommitted();
    await vi.advanceTimersByTimeAsync(WAKE_WINDOW_MS);
    expect(sent).toHaveLength(2);
  });

  it('a wake-up that fails is dropped (the hubs poll): the next one is sent', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const pool = {
      query: async () => {
        calls += 1;
        if (calls === 1) throw new Error('Connection terminated unexpectedly');
      },
    } as unknown as pg.Pool;
    const waker = liveWaker(() => pool);
    waker.eventsCommitted();
    await vi.advanceTimersByTimeAsync(WAKE_WINDOW_MS);
    waker.eventsCommitted();
    await vi.advanceTimersByTimeAsync(WAKE_WINDOW_MS);
    expect(calls).toBe(2);
  });
});
