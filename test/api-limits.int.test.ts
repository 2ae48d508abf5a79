import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId, scopedCommandId } from '@/lib/accounts/ids';
import { db } from '@/lib/db/prisma';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { asPruner } from '@/lib/db/roles';
import { withClient } from '@/lib/db/with-client';
import { pruneCommands } from '@/lib/event-store';
import { pruneApiRateLimits } from '@/lib/http/api-limits-retention';
import { reserveIn } from '@/lib/http/api-limits';
import { pruneAuthRateLimits } from '@/lib/auth/rate-limits-retention';
import { testAuthEnv } from '@/test/auth';
import { testAccountNumber } from '@/test/customers';
import { freshDatabase } from '@/test/db';
import { apiCustomer, read } from '@/test/in-process-api';
import { auth } from '@/lib/auth/auth';

// Per-customer budgets of the API, counted in PostgreSQL (429 problem+json with
// Retry-After), a cap on new Idempotency-Keys per customer per hour (a stored key still replays),
// and the retention job, which never deletes the command of an event. Across two instances:
// test/edge.cluster.test.ts.

let ownerUrl: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  const fresh = await freshDatabase();
  Object.assign(process.env, testAuthEnv, { DATABASE_URL: fresh.url });
  ownerUrl = fresh.ownerUrl;
  drop = fresh.drop;
});
afterEach(() => vi.unstubAllEnvs());
afterAll(async () => {
  await db().$disconnect();
  await drop();
});

const list = (authorization: string) =>
  accounts
    .GET(new Request('http://localhost:3000/api/accounts', { headers: { authorization: `Bearer ${authorization}` } }))
    .then(read);

function expectTooMany(reply: { status: number; type: string | null; text: string }, headers: Headers | null = null) {
  expect(reply.status).toBe(429);
  expect(reply.type).toBe('application/problem+json');
  expect(JSON.parse(reply.text)).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
  if (headers) expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('requests per customer (IDEM_CUSTOMER_RATE_LIMIT)', () => {
  it('counts every key of the customer together; over the budget: 429 with Retry-After; other customers unaffected', async () => {
    vi.stubEnv('IDEM_CUSTOMER_RATE_LIMIT', '3/60');
    const ada = await apiCustomer('Ada');
    const grace = await apiCustomer('Grace');
    expect((await list(ada.apiKey)).status).toBe(200);
    expect((await ada.list()).length).toBe(0); // the same customer through the same helper: 2 of 3
    expect((await list(ada.apiKey)).status).toBe(200);
    const response = await accounts.GET(
      new Request('http://localhost:3000/api/accounts', { headers: { authorization: `Bearer ${ada.apiKey}` } }),
    );
    const retryAfter = response.headers.get('retry-after');
    expectTooMany(await read(response));
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect((await list(grace.apiKey)).status).toBe(200);
  });
});

describe('requests per API key (IDEM_API_KEY_RATE_LIMIT)', () => {
  it('a key in steady use gets a fresh budget when its window ends (fixed windows); another key of the customer is not affected', async () => {
    // better-auth's own per-key limiter measured its window from the key's LAST request, so a key
    // used at least once a window never got a fresh one: steady use was refused for good after
    // `max` requests. The budget now lives with the customer budgets, in fixed windows.
    const ada = await apiCustomer('Steady');
    const { key: other } = await createSecondKey(ada.cookie);
    vi.stubEnv('IDEM_API_KEY_RATE_LIMIT', '3/60');
    // The same budget as the key's own row would carry had it been created under that setting.
    await db().apiKey.updateMany({
      where: { referenceId: ada.id },
      data: { rateLimitEnabled: true, rateLimitMax: 3, rateLimitTimeWindow: 60_000 },
    });
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const at = async (seconds: number, key = ada.apiKey) => {
        vi.setSystemTime(start + seconds * 1000);
        return (await list(key)).status;
      };
      expect([await at(0), await at(20), await at(40)]).toEqual([200, 200, 200]);
      const refused = await accounts.GET(
        new Request('http://localhost:3000/api/accounts', { headers: { authorization: `Bearer ${ada.apiKey}` } }),
      );
      expectTooMany(await read(refused.clone()), refused.headers);
      expect(await at(50, other)).toBe(200); // per key: the customer's other key has its own budget
      expect(await at(61)).toBe(200); // a new window, though the last request was 21 s ago
      expect([await at(62), await at(63), await at(64)]).toEqual([200, 200, 429]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('new Idempotency-Keys per customer per hour (IDEM_NEW_KEYS_PER_HOUR)', () => {
  it('refuses a new key over the cap (nothing stored) and still replays a stored one', async () => {
    const me = await apiCustomer('Capped');
    vi.stubEnv('IDEM_NEW_KEYS_PER_HOUR', '3');
    const account = await me.open('100.00'); // key 1
    const second = `cap-${randomUUID()}`;
    expect((await me.deposit(account.id, { amount: '1.00' }, second)).status).toBe(201); // key 2
    expect((await me.deposit(account.id, { amount: '1.00' })).status).toBe(201); // key 3
    const over = `cap-${randomUUID()}`;
    const refused = await me.deposit(account.id, { amount: '1.00' }, over);
    expectTooMany(refused);
    expect(await db().command.count({ where: { commandId: scopedCommandId(me.id, over) } })).toBe(0);
    const replay = await me.deposit(account.id, { amount: '1.00' }, second);
    expect(replay).toMatchObject({ status: 201, replayed: 'true' });
    expect(JSON.parse((await me.account(account.id)).text)).toMatchObject({ balance: '102.00' });
  });
});

describe('retention (npm run prune)', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const old = new Date(Date.now() - 40 * DAY);
  const command = (commandId: string, now: Date, data: { accountId: AccountId; amountCents: number }) =>
    handleAccountCommand({
      type: 'WithdrawMoney',
      data,
      metadata: { commandId, now, customerId: 'retention-customer' },
    });

  it('deletes old rejected commands only; every event keeps its command; a pruned key counts as new', async () => {
    const accountId = newAccountId();
    const opened = await handleAccountCommand({
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Retention', openingDepositCents: 1_000 },
      metadata: { commandId: `open-${randomUUID()}`, now: old, customerId: 'retention-customer' },
    });
    expect(opened.status).toBe('accepted');
    const oldAccepted = `old-ok-${randomUUID()}`;
    const oldRejected = `old-no-${randomUUID()}`;
    const newRejected = `new-no-${randomUUID()}`;
    expect((await command(oldAccepted, old, { accountId, amountCents: 100 })).status).toBe('accepted');
    expect((await command(oldRejected, old, { accountId, amountCents: 1_000_000 })).status).toBe('rejected');
    expect((await command(newRejected, new Date(), { accountId, amountCents: 1_000_000 })).status).toBe('rejected');

    const pruned = await withClient(ownerUrl, (client) =>
      asPruner(client, () => pruneCommands(client, { retentionDays: 30 })),
    );
    expect(pruned).toBeGreaterThanOrEqual(1);
    const left = await db().command.findMany({
      where: { commandId: { in: [oldAccepted, oldRejected, newRejected] } },
      select: { commandId: true },
    });
    expect(left.map((c) => c.commandId).sort()).toEqual([newRejected, oldAccepted].sort());
    const orphans = await db().$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM events e WHERE NOT EXISTS (SELECT 1 FROM commands c WHERE c.command_key = e.command_key)`;
    expect(Number(orphans[0]!.n)).toBe(0);
    // After expiry the key is new: decided again against today's balance (here: accepted).
    const again = await command(oldRejected, new Date(), { accountId, amountCents: 100 });
    expect(again).toMatchObject({ status: 'accepted', replayed: false });
    // An accepted command is never replaced: the same key replays whatever its age.
    expect(await command(oldAccepted, new Date(), { accountId, amountCents: 100 })).toMatchObject({
      status: 'accepted',
      replayed: true,
    });
  });

  it('refuses, at the database, to delete a command that produced events', async () => {
    const withEvents = await db().$queryRaw<{ key: string }[]>`SELECT command_key::text AS key FROM events LIMIT 1`;
    await expect(
      db().$executeRaw`DELETE FROM commands WHERE command_key = ${withEvents[0]!.key}::uuid`,
    ).rejects.toThrow();
  });

  it('deletes API budget windows that ended', async () => {
    await db()
      .$executeRaw`INSERT INTO api_rate_limits (key, points, expire) VALUES ('ended', 1, ${Date.now() - 1000}), ('running', 1, ${Date.now() + 60_000})`;
    await withClient(ownerUrl, (client) => asPruner(client, () => pruneApiRateLimits(client)));
    const keys = await db().$queryRaw<
      { key: string }[]
    >`SELECT key FROM api_rate_limits WHERE key IN ('ended', 'running')`;
    expect(keys.map((k) => k.key)).toEqual(['running']);
  });

  it('deletes sign-in rate-limit rows no window can count any more (older than a day)', async () => {
    const now = Date.now();
    await db()
      .$executeRaw`INSERT INTO rate_limits (id, key, count, last_request) VALUES ('stale', 'stale', 1, ${now - 2 * DAY}), ('recent', 'recent', 1, ${now - 60_000})`;
    await withClient(ownerUrl, (client) => asPruner(client, () => pruneAuthRateLimits(client)));
    const keys = await db().$queryRaw<{ key: string }[]>`SELECT key FROM rate_limits WHERE key IN ('stale', 'recent')`;
    expect(keys.map((k) => k.key)).toEqual(['recent']);
  });
});

async function createSecondKey(cookie: string) {
  return auth().api.createApiKey({ body: { name: 'second key' }, headers: new Headers({ cookie }) });
}

describe('budget reservations (lib/http/budget-leases.ts) in PostgreSQL', () => {
  it('statements of many instances, with the same rows in any mix and order, never deadlock and grant exactly', async () => {
    // Each statement is one batch of some requests' budgets; batches from several instances lock
    // the same rows. Sorted by key in every statement, no two can wait on each other in a cycle
    // (unsorted, PostgreSQL aborts one with 40P01 here).
    const reserve = reserveIn(db());
    const keys = Array.from({ length: 6 }, (_, i) => `deadlock-test:${i}`);
    const now = Date.now();
    const shuffled = () => [...keys].sort(() => Math.random() - 0.5).slice(0, 2 + Math.floor(Math.random() * 4));
    const batches = Array.from({ length: 120 }, shuffled);
    const results = await Promise.allSettled(
      batches.map((batch) =>
        reserve(
          batch.map((key) => ({ key, n: 1, expire: now + 60_000 })),
          now,
        ),
      ),
    );
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    const rows = await withClient(ownerUrl, (c) =>
      c.query<{ key: string; points: number }>(
        `SELECT key, points FROM api_rate_limits WHERE key LIKE 'deadlock-test:%'`,
      ),
    );
    for (const key of keys)
      expect(rows.rows.find((r) => r.key === key)?.points ?? 0, key).toBe(
        batches.filter((b) => b.includes(key)).length,
      );
  });
});
