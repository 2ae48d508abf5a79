import { describe, expect, it, vi } from 'vitest';
import type { SlotStore } from './slot-store';
import { StreamSlots } from './stream-slots';

// The instance's side of the cap: what it holds, in what order it writes, and how it repairs a row
// a failed write left wrong. The table itself (locks, liveness, concurrency): stream-slots.int.test.ts.

/** live_stream_slots in memory (every row live), for any number of instances. */
function memoryTable() {
  const rows = new Map<string, number>();
  const key = (customerId: string, instanceId: string) => `${customerId} ${instanceId}`;
  const others = (customerId: string, instanceId: string) =>
    [...rows]
      .filter(([k]) => k.startsWith(`${customerId} `) && k !== key(customerId, instanceId))
      .reduce((n, [, v]) => n + v, 0);
  const store = (instanceId: string): SlotStore => ({
    async reserve(customerId, streams, cap) {
      if (others(customerId, instanceId) + streams > cap) return false;
      rows.set(key(customerId, instanceId), streams);
      return true;
    },
    async write(counts) {
      for (const [customerId, n] of counts)
        if (n > 0) rows.set(key(customerId, instanceId), n);
        else rows.delete(key(customerId, instanceId));
    },
    sweep: async () => 0,
    async clear() {
      for (const k of rows.keys()) if (k.endsWith(` ${instanceId}`)) rows.delete(k);
    },
  });
  return { rows, row: (customerId: string, instanceId: string) => rows.get(key(customerId, instanceId)), store };
}

const deferred = () => {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('stream slots per customer', () => {
  it('gives at most `cap` slots to one customer across instances; a release frees one, once', async () => {
    const table = memoryTable();
    const [a, b] = [new StreamSlots(table.store('a')), new StreamSlots(table.store('b'))];
    const first = await a.take('slots-ada', 2);
    const second = await b.take('slots-ada', 2);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(await a.take('slots-ada', 2)).toBeNull();
    expect(await b.take('slots-ada', 2)).toBeNull();
    // Another customer has their own.
    expect(await a.take('slots-bob', 2)).not.toBeNull();
    first!();
    first!(); // a stream that ends twice (cancel and abort) frees one slot, not two
    await vi.waitFor(() => expect(table.row('slots-ada', 'a')).toBeUndefined()); // a row at 0 is deleted
    const third = await b.take('slots-ada', 2);
    expect(third).not.toBeNull();
    expect(table.row('slots-ada', 'b')).toBe(2);
    expect(await a.take('slots-ada', 2)).toBeNull();
    expect([a.held('slots-ada'), b.held('slots-ada')]).toEqual([0, 2]);
    second!();
    third!();
    await vi.waitFor(() => expect(table.rows.size).toBe(1)); // bob's
    expect(await a.take('slots-ada', 1)).not.toBeNull();
    await a.stop();
    expect(table.rows.size).toBe(0);
  });

  it('runs one instance’s operations for a customer one after the other, each with the count the previous left', async () => {
    const table = memoryTable();
    const store = table.store('a');
    const gate = deferred();
    const asked: number[] = [];
    const slots = new StreamSlots({
      ...store,
      async reserve(customerId, streams, cap) {
        asked.push(streams);
        await gate.promise;
        return store.reserve(customerId, streams, cap);
      },
    });
    const takes = [1, 2, 3].map(() => slots.take('slots-ada', 2));
    await vi.waitFor(() => expect(asked).toEqual([1]));
    gate.resolve();
    const granted = await Promise.all(takes);
    expect(asked).toEqual([1, 2, 3]);
    expect(granted.map((r) => r !== null)).toEqual([true, true, false]);
    expect(table.row('slots-ada', 'a')).toBe(2);
  });

  it('a take the database failed holds nothing; a row a failed write left wrong is written right by the heartbeat', async () => {
    const table = memoryTable();
    const store = table.store('a');
    let failing: 'reserve-after-commit' | 'write' | null = 'reserve-after-commit';
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const slots = new StreamSlots({
      ...store,
      async reserve(customerId, streams, cap) {
        const granted = await store.reserve(customerId, streams, cap);
        if (failing === 'reserve-after-commit') throw outage; // committed, but the answer was lost
        return granted;
      },
      async write(counts) {
        if (failing === 'write') throw outage;
        return store.write(counts);
      },
    });
    await expect(slots.take('slots-ada', 2)).rejects.toBe(outage);
    expect(slots.held('slots-ada')).toBe(0);
    expect(table.row('slots-ada', 'a')).toBe(1);
    failing = null;
    await slots.heartbeat();
    expect(table.row('slots-ada', 'a')).toBeUndefined();

    const release = (await slots.take('slots-ada', 2))!;
    failing = 'write';
    release();
    await vi.waitFor(() => expect(slots.held('slots-ada')).toBe(0));
    await slots.heartbeat(); // still failing: the row stays wrong, and marked
    expect(table.row('slots-ada', 'a')).toBe(1);
    failing = null;
    await slots.heartbeat();
    expect(table.row('slots-ada', 'a')).toBeUndefined();
  });

  it('the heartbeat leaves a customer whose operation is in flight to that operation', async () => {
    const table = memoryTable();
    const store = table.store('a');
    const gate = deferred();
    const written: string[][] = [];
    const slots = new StreamSlots({
      ...store,
      async reserve(customerId, streams, cap) {
        if (customerId === 'slots-ada' && streams === 2) await gate.promise;
        return store.reserve(customerId, streams, cap);
      },
      async write(counts) {
        written.push(counts.map(([c, n]) => `${c}=${n}`));
        return store.write(counts);
      },
    });
    await slots.take('slots-ada', 5);
    await slots.take('slots-bob', 5);
    const pending = slots.take('slots-ada', 5);
    await slots.heartbeat();
    expect(written).toEqual([['slots-bob=1']]);
    gate.resolve();
    expect(await pending).not.toBeNull();
    await slots.heartbeat();
    expect(written.at(-1)!.sort()).toEqual(['slots-ada=2', 'slots-bob=1']);
    expect(table.row('slots-ada', 'a')).toBe(2);
  });
});
