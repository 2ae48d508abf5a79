import { describe, expect, it } from 'vitest';
import { BudgetLeases, type Budget, type Reserve } from './budget-leases';

/** The budget rows as lib/http/api-limits.ts's statement keeps them, with a clock the test moves. */
function database(delayMs = 1) {
  const rows = new Map<string, { points: number; expire: number }>();
  const statements: string[][] = [];
  const reserve: Reserve = async (reservations, now) => {
    statements.push(reservations.map((r) => `${r.key}+${r.n}`));
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return reservations.map((r) => {
      const row = rows.get(r.key);
      const next =
        !row || row.expire <= now
          ? { points: r.n, expire: r.expire }
          : { points: row.points + r.n, expire: row.expire };
      rows.set(r.key, next);
      return { key: r.key, ...next };
    });
  };
  return { rows, statements, reserve };
}

const perKey = (points: number, key = 'k1'): Budget => ({ name: 'api-key', window: { points, seconds: 60 }, key });
const perCustomer = (points: number, key = 'c1'): Budget => ({
  name: 'api-customer',
  window: { points, seconds: 60 },
  key,
});

describe('budget leases', () => {
  it('three instances taking at once never serve more than the limit together, and serve all of it', async () => {
    const db = database();
    const clock = { now: 1_000_000 };
    const instances = [1, 2, 3].map(() => new BudgetLeases(db.reserve, 100, () => clock.now));
    let served = 0;
    let refused = 0;
    // 30 rounds of 30 concurrent requests, round-robin over the instances, time passing 2 ms a round.
    for (let round = 0; round < 30; round++) {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => instances[i % 3]!.take([perKey(400), perCustomer(100_000)])),
      );
      for (const r of results)
        if (r === null) served++;
        else refused++;
      clock.now += 2;
    }
    expect(served).toBe(400);
    expect(refused).toBe(900 - 400);
    // Reserved in the database: at least what was served, never granted beyond it.
    expect(db.rows.get('api-key:k1')!.points).toBeGreaterThanOrEqual(400);
    // The first round needed a statement per instance; a fast budget is reserved in chunks (≤ 400/20).
    expect(db.statements.length).toBeLessThan(900 / 4);
    const chunks = db.statements.flat().filter((s) => s.startsWith('api-key:k1+'));
    expect(Math.max(...chunks.map((s) => Number(s.split('+')[1])))).toBeLessThanOrEqual(30);
  });

  it('a slowly used budget takes one point per statement (nothing reserved ahead)', async () => {
    const db = database();
    const clock = { now: 1_000_000 };
    const leases = new BudgetLeases(db.reserve, 100, () => clock.now);
    for (let i = 0; i < 5; i++) {
      expect(await leases.take([perKey(1000)])).toBeNull();
      clock.now += 1000; // one request a second: 100 ms of it is 0.1 request
    }
    expect(db.statements).toEqual(Array.from({ length: 5 }, () => ['api-key:k1+1']));
    expect(db.rows.get('api-key:k1')!.points).toBe(5);
  });

  it('a budget used fast, one request after another, reserves about 100 ms of them at once', async () => {
    const db = database();
    const clock = { now: 1_000_000 };
    const leases = new BudgetLeases(db.reserve, 100, () => clock.now);
    for (let i = 0; i < 200; i++) {
      expect(await leases.take([perKey(100_000)])).toBeNull();
      clock.now += 1; // a thousand requests a second: 100 ms of them is 100
    }
    expect(db.statements.length).toBeLessThan(10);
    expect(db.statements.flat()).toContain('api-key:k1+100');
  });

  it('with leaseMs 0 every request is one statement of one point', async () => {
    const db = database();
    const clock = { now: 1_000_000 };
    const leases = new BudgetLeases(db.reserve, 0, () => clock.now);
    for (let i = 0; i < 20; i++) expect(await leases.take([perKey(1000)])).toBeNull();
    expect(db.statements.flat()).toEqual(Array.from({ length: 20 }, () => 'api-key:k1+1'));
  });

  it('once the window is used up it refuses without a statement, with the time to its end, until a new window', async () => {
    const db = database();
    const clock = { now: 1_000_000 };
    const leases = new BudgetLeases(db.reserve, 0, () => clock.now);
    for (let i = 0; i < 3; i++) expect(await leases.take([perKey(3)])).toBeNull();
    expect(await leases.take([perKey(3)])).toEqual({ name: 'api-key', retryAfterSeconds: 60 });
    const statements = db.statements.length;
    clock.now += 30_500;
    expect(await leases.take([perKey(3)])).toEqual({ name: 'api-key', retryAfterSeconds: 30 });
    expect(db.statements.length).toBe(statements);
    clock.now += 30_000; // the window has ended
    expect(await leases.take([perKey(3)])).toBeNull();
    expect(db.rows.get('api-key:k1')).toEqual({ points: 1, expire: 1_000_000 + 60_500 + 60_000 });
  });

  it("a request's budgets go in one statement, all are counted, and the first one over is named", async () => {
    const db = database();
    const leases = new BudgetLeases(db.reserve, 0);
    expect(await leases.take([perKey(10), perCustomer(1)])).toBeNull();
    expect(db.statements).toEqual([['api-key:k1+1', 'api-customer:c1+1']]);
    const over = await leases.take([perKey(10), perCustomer(1)]);
    expect(over?.name).toBe('api-customer');
    expect(db.rows.get('api-key:k1')!.points).toBe(2); // the key's point was taken too
  });

  it('points granted before a window filled are still served; the rest of a chunk is refused', async () => {
    const db = database();
    const clock = { now: 1_000_000 };
    db.rows.set('api-key:k1', { points: 98, expire: clock.now + 60_000 }); // other instances used 98 of 100
    const leases = new BudgetLeases(db.reserve, 100, () => clock.now);
    const results = await Promise.all(Array.from({ length: 5 }, () => leases.take([perKey(100)])));
    expect(results.filter((r) => r === null)).toHaveLength(2);
    expect(results.filter((r) => r !== null)).toHaveLength(3);
  });

  it('two leases on one row in the same tick (a setting changed) go in separate statements', async () => {
    const db = database();
    const leases = new BudgetLeases(db.reserve, 0);
    const results = await Promise.all([leases.take([perKey(10)]), leases.take([perKey(20)])]);
    expect(results).toEqual([null, null]);
    expect(db.statements).toEqual([['api-key:k1+1'], ['api-key:k1+1']]);
  });

  it('a database failure fails every request waiting on that statement, and the next one tries again', async () => {
    let fail = true;
    const db = database();
    const reserve: Reserve = (reservations, now) =>
      fail ? Promise.reject(new Error('connection terminated')) : db.reserve(reservations, now);
    const leases = new BudgetLeases(reserve, 100);
    const results = await Promise.allSettled([leases.take([perKey(10)]), leases.take([perKey(10)])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await leases.take([perKey(10)])).toBeNull();
  });
});
