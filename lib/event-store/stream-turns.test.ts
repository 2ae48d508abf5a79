import { describe, expect, it } from 'vitest';
import { MAX_TURN_WAITERS, streamsInTurn, takeTurns } from './stream-turns';

// One writer per stream per process may wait in PostgreSQL (holding a connection); the rest wait
// here, in order, holding nothing, and not without bound. Ordered, never timed.

const settle = () => new Promise((r) => setImmediate(r));

describe('turns on a stream', () => {
  it('go one at a time, first come first served, and a stream nobody uses is forgotten', async () => {
    const owner = {};
    const order: string[] = [];
    const first = (await takeTurns(owner, ['s']))!;
    const waiting = ['b', 'c'].map((name) => takeTurns(owner, ['s']).then((passOn) => (order.push(name), passOn!)));
    await settle();
    expect(order).toEqual([]);
    first();
    const b = await waiting[0]!;
    await settle();
    expect(order).toEqual(['b']);
    b();
    (await waiting[1]!)();
    expect(order).toEqual(['b', 'c']);
    expect(streamsInTurn(owner)).toBe(0);
  });

  it('other streams are never held up by a busy one', async () => {
    const owner = {};
    const hot = (await takeTurns(owner, ['hot']))!;
    void takeTurns(owner, ['hot']);
    const other = await takeTurns(owner, ['other']);
    expect(other).toBeTypeOf('function');
    other!();
    hot();
  });

  it('several streams are taken in sorted order, so two writers over the same pair never deadlock', async () => {
    const owner = {};
    const ab = (await takeTurns(owner, ['b', 'a']))!;
    const ba = takeTurns(owner, ['a', 'b']);
    const bOnly = takeTurns(owner, ['b']);
    // `ba` waited for `a` first, so `bOnly` (in line for `b` meanwhile) goes before it on `b`.
    ab();
    (await bOnly)!();
    (await ba)!();
    expect(streamsInTurn(owner)).toBe(0);
  });

  it('refuse a writer at once when the line is full (it is answered busy), and give back what it held', async () => {
    const owner = {};
    const holder = (await takeTurns(owner, ['hot']))!;
    const line = Array.from({ length: MAX_TURN_WAITERS }, () => takeTurns(owner, ['hot']));
    // A writer over a free stream and the full one: refused, and the free stream is free again.
    expect(await takeTurns(owner, ['a-free', 'hot'])).toBeNull();
    expect(await takeTurns(owner, ['hot'])).toBeNull();
    const free = await takeTurns(owner, ['a-free']);
    expect(free).toBeTypeOf('function');
    free!();
    // The command queue's own batch (one per stream) is never refused.
    const queued = takeTurns(owner, ['hot'], true);
    holder();
    for (const waiter of line) (await waiter)!();
    (await queued)!();
    expect(streamsInTurn(owner)).toBe(0);
  });
});
