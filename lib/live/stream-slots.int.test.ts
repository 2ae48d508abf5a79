import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isConnectionError } from '@/lib/db/connection-errors';
import { freshDatabase } from '@/test/db';
import { pgSlotStore } from './slot-store';
import { SLOT_LIVENESS_MS, StreamSlots } from './stream-slots';

// The cap on open event streams per customer, counted in PostgreSQL: "instances" here are slot
// counters with ids of their own on one database, as the app's instances are. The answers over HTTP:
// event-stream.int.test.ts; across real instances: test/live-updates.cluster.test.ts.

let pool: pg.Pool;
let drop: () => Promise<void>;
const made: StreamSlots[] = [];
beforeAll(async () => {
  const fresh = await freshDatabase();
  drop = fresh.drop;
  pool = new pg.Pool({ connectionString: fresh.url, max: 12 }); // the application's role
});
afterAll(async () => {
  await Promise.all(made.map((s) => s.stop().catch(() => {})));
  await pool.end();
  await drop();
});

let n = 0;
const customer = () => `slots-customer-${++n}`;

/** An instance's slots: its own id, the liveness window the app uses; heartbeats only when a test calls them. */
function instance(id: string, on = () => pool) {
  const slots = new StreamSlots(pgSlotStore(on, id, SLOT_LIVENESS_MS), 3_600_000);
  made.push(slots);
  return slots;
}

async function rows(customerId: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ instance_id: string; streams: number }>(
    'SELECT instance_id, streams FROM live_stream_slots WHERE customer_id = $1 ORDER BY instance_id',
    [customerId],
  );
  return Object.fromEntries(rows.map((r) => [r.instance_id, r.streams]));
}

/** As if the instance had last refreshed its rows `seconds` earlier than it did. */
const age = (instanceId: string, seconds: number) =>
  pool.query(`UPDATE live_stream_slots SET seen_at = seen_at - make_interval(secs => $2) WHERE instance_id = $1`, [
    instanceId,
    seconds,
  ]);

const liveness = SLOT_LIVENESS_MS / 1000;

describe('stream slots counted in PostgreSQL', () => {
  it('two instances share one customer’s cap; closing one frees a slot for the other; another customer has their own', async () => {
    const [a, b] = [instance('share-a'), instance('share-b')];
    const ada = customer();
    const onA = await a.take(ada, 3);
    expect(onA).not.toBeNull();
    expect(await b.take(ada, 3)).not.toBeNull();
    expect(await a.take(ada, 3)).not.toBeNull();
    expect(await rows(ada)).toEqual({ 'share-a': 2, 'share-b': 1 });
    expect(await b.take(ada, 3)).toBeNull();
    expect(await a.take(ada, 3)).toBeNull();
    expect(await b.take(customer(), 3)).not.toBeNull();

    onA!();
    onA!(); // once
    await vi.waitFor(async () => expect(await rows(ada)).toEqual({ 'share-a': 1, 'share-b': 1 }));
    const onB = await b.take(ada, 3);
    expect(onB).not.toBeNull();
    expect(await a.take(ada, 3)).toBeNull();
    expect(await rows(ada)).toEqual({ 'share-a': 1, 'share-b': 2 });
  });

  it('a row at 0 is deleted; an instance that shuts down deletes its rows and frees their slots', async () => {
    const [a, b] = [instance('down-a'), instance('down-b')];
    const ada = customer();
    const release = (await a.take(ada, 2))!;
    release();
    await vi.waitFor(async () => expect(await rows(ada)).toEqual({}));
    await a.take(ada, 2);
    await a.take(ada, 2);
    expect(await b.take(ada, 2)).toBeNull();
    await a.stop();
    expect(await rows(ada)).toEqual({});
    expect(await b.take(ada, 2)).not.toBeNull();
  });

  it('a crashed instance stops counting once its rows are older than the liveness window; a live one’s heartbeat keeps them', async () => {
    const [a, b] = [instance('crash-a'), instance('crash-b')];
    const ada = customer();
    await a.take(ada, 2);
    await a.take(ada, 2);
    // Alive: rows refreshed within the window count, and each heartbeat starts the window again.
    await age('crash-a', liveness - 15);
    expect(await b.take(ada, 2)).toBeNull();
    await a.heartbeat();
    await age('crash-a', liveness - 15);
    expect(await b.take(ada, 2)).toBeNull();

    // Crashed (no heartbeat since): past the window its streams no longer count, and the count that
    // finds them stale deletes them.
    await age('crash-a', 16);
    expect(await b.take(ada, 2)).not.toBeNull();
    expect(await b.take(ada, 2)).not.toBeNull();
    expect(await b.take(ada, 2)).toBeNull();
    expect(await rows(ada)).toEqual({ 'crash-b': 2 });

    // A customer nobody counts again: the rows are swept by any instance's heartbeat.
    const bob = customer();
    await a.take(bob, 2);
    await age('crash-a', liveness + 1);
    await b.heartbeat();
    expect(await rows(bob)).toEqual({});
  });

  it('concurrent opens from both instances never exceed the cap: 20 attempts, cap 3, exactly 3 granted', async () => {
    const [a, b] = [instance('race-a'), instance('race-b')];
    const ada = customer();
    const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).take(ada, 3)));
    const granted = attempts.filter((r) => r !== null);
    expect(granted).toHaveLength(3);
    const counted = Object.values(await rows(ada)).reduce((sum, v) => sum + v, 0);
    expect(counted).toBe(3);
    expect(a.held(ada) + b.held(ada)).toBe(3);

    // Freed again, the same race grants the same 3.
    for (const release of granted) release!();
    await vi.waitFor(async () => expect(await rows(ada)).toEqual({}));
    const again = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? b : a).take(ada, 3)));
    expect(again.filter((r) => r !== null)).toHaveLength(3);
  });

  it('with the database unreachable a take throws a connection error (the API’s 503) and holds nothing', async () => {
    const down = new pg.Pool({ connectionString: 'postgres://idem@127.0.0.1:1/idem', connectionTimeoutMillis: 2000 });
    const slots = instance('down', () => down);
    const ada = customer();
    try {
      const failure = await slots.take(ada, 2).catch((error: unknown) => error);
      expect(isConnectionError(failure)).toBe(true);
      expect(slots.held(ada)).toBe(0);
    } finally {
      await down.end();
    }
  });
});
