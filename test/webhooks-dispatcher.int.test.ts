import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db/prisma';
import { publicEventId } from '@/lib/public-events/public-event';
import { WebhookDispatcher, type DispatcherOptions } from '@/lib/webhooks/dispatcher';
import { openSecret } from '@/lib/webhooks/secrets';
import { resendDelivery } from '@/lib/webhooks';
import { fanOutBatch } from '@/lib/webhooks/fan-out';
import { testAuthEnv } from '@/test/auth';
import { apiCustomer, type ApiCustomer } from '@/test/in-process-api';
import { freshDatabase } from '@/test/db';
import { startReceiver, type Receiver } from '@/test/webhook-receiver';
import { fanOutBehind, trustedEndpoint } from '@/test/webhook-endpoints';

// The dispatcher against a real PostgreSQL and a receiver on 127.0.0.1 that verifies every delivery
// with `standardwebhooks`: order per account, nothing foreign, retries with one id, dead letters,
// replay from a point in time, and several dispatchers sharing the work without sending an attempt
// twice at once.

let drop: () => Promise<void>;
let receiver: Receiver;
const dispatchers: WebhookDispatcher[] = [];
beforeAll(async () => {
  const fresh = await freshDatabase();
  Object.assign(process.env, testAuthEnv, { DATABASE_URL: fresh.url });
  drop = fresh.drop;
  receiver = await startReceiver();
});
afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
  receiver.answer = () => 204;
});
afterAll(async () => {
  await receiver.stop();
  await db().$disconnect();
  await drop();
});

function dispatcher(options: Partial<DispatcherOptions> = {}) {
  const d = new WebhookDispatcher(process.env.DATABASE_URL!, {
    schedule: [50, 100, 150],
    policy: { production: false, allowedHosts: [] },
    openSecret,
    pollMs: 20,
    // Generous for a loaded machine: a slow 2xx taken for a timeout would be retried, and counted.
    timeoutMs: 2_000,
    leaseMs: 10_000,
    ...options,
  });
  dispatchers.push(d);
  d.start();
  return d;
}

const endpoint = (who: ApiCustomer, path: string, eventTypes?: string[]) =>
  trustedEndpoint(receiver, who, path, eventTypes);

/** The public ids of every published event of the customer's accounts, per account in version order. */
async function eventsOf(customerId: string, since = new Date(0)) {
  const rows = await db().$queryRaw<{ streamId: string; version: number; accountId: string }[]>`
    SELECT e.stream_id AS "streamId", e.version, b.account_id::text AS "accountId"
      FROM events e JOIN account_balances b ON e.stream_id = 'account-' || b.account_id::text
     WHERE b.customer_id = ${customerId} AND e.created_at >= ${since} ORDER BY e.global_position`;
  return rows.map((r) => ({ id: publicEventId(r.streamId, r.version), accountId: r.accountId, version: r.version }));
}

/** Whether `path` has acknowledged exactly these ids (for expect.poll). */
const allSettled = (ids: string[], path: string) => () => {
  const got = new Set(receiver.acknowledged(path).map((r) => r.id));
  return got.size === ids.length && ids.every((id) => got.has(id));
};

describe('a ledger nobody follows by webhook', () => {
  it('moves the fan-out past its events without reading their accounts or writing deliveries', async () => {
    const c = await apiCustomer('Nobody Follows');
    const account = await c.open('10.00');
    await c.deposit(account.id, { amount: '1.00' });
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const statements: string[] = [];
    const recording = new Proxy(client, {
      get: (target, name) =>
        name === 'query'
          ? (text: string, values?: unknown[]) => (statements.push(text), target.query(text, values))
          : Reflect.get(target, name),
    });
    try {
      while (await fanOutBatch(recording)) {}
    } finally {
      await client.end();
    }
    expect(await fanOutBehind()).toBe(0);
    expect(statements.some((s) => s.includes('webhook_endpoints'))).toBe(true);
    expect(statements.filter((s) => /account_balances|standing_orders|webhook_deliveries/.test(s))).toEqual([]);
    expect(await db().webhookDelivery.count()).toBe(0);
  });
});

describe('delivering the log', () => {
  it('sends every event of the owner’s accounts to the owner only, in order per account', async () => {
    const [a, b] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Grace Hopper')];
    await endpoint(a, '/order/a');
    await endpoint(b, '/order/b', ['transfer.received']);
    const [a1, a2] = [await a.open('100.00', 'Ada Lovelace'), await a.open('50.00')];
    const b1 = await b.open('5.00', 'Grace Hopper');
    for (let i = 0; i < 5; i++) {
      await a.deposit(a1.id, { amount: '1.00' });
      await a.withdraw(a2.id, { amount: '1.00' });
    }
    expect((await a.transfer({ from: a1.id, toAccountNumber: b1.accountNumber, amount: '3.00' })).status).toBe(201);
    expect((await b.transfer({ from: b1.id, toAccountNumber: a1.accountNumber, amount: '1.00' })).status).toBe(201);
    dispatcher();
    const expectedA = await eventsOf(a.id);
    await expect.poll(() => receiver.acknowledged('/order/a').length, { timeout: 30_000 }).toBe(expectedA.length);
    await expect.poll(() => receiver.acknowledged('/order/b').length, { timeout: 30_000 }).toBe(1);

    const gotA = receiver.acknowledged('/order/a');
    expect(gotA.map((r) => r.id).sort()).toEqual(expectedA.map((e) => e.id).sort());
    // In order per account: versions rise one by one.
    for (const account of [a1.id, a2.id]) {
      const versions = gotA.filter((r) => r.body.data.accountId === account).map((r) => r.body.data.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    // Nothing foreign: A's endpoint saw only A's accounts; B's only its transfer.received.
    expect(new Set(gotA.map((r) => r.body.data.accountId))).toEqual(new Set([a1.id, a2.id]));
    const [received] = receiver.acknowledged('/order/b');
    expect(received!.body).toMatchObject({
      type: 'transfer.received',
      data: { accountId: b1.id, amount: '3.00', from: { name: 'A. L*******', accountNumber: a1.accountNumber } },
    });
    expect(received!.body.data).not.toHaveProperty('commandId');
    expect(gotA.find((r) => r.body.type === 'transfer.received')!.body.data.from).toEqual({
      name: 'G. H*****',
      accountNumber: b1.accountNumber,
    });
    expect(receiver.badSignatures).toEqual([]);
    expect(receiver.overlaps).toEqual([]);
    const allDeliveredOnce = async () =>
      (await db().webhookDelivery.findMany({ where: { endpoint: { customerId: a.id } } })).every(
        (d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 204,
      );
    await expect.poll(allDeliveredOnce).toBe(true);
  });
});

describe('failures', () => {
  it('retries 500s and timeouts with the same webhook-id until acknowledged, keeping the order', async () => {
    const a = await apiCustomer('Retry Owner');
    await endpoint(a, '/retry');
    const account = await a.open('10.00');
    for (let i = 0; i < 3; i++) await a.deposit(account.id, { amount: '1.00' });
    receiver.answer = (request, attempt) =>
      request.path !== '/retry' ? 204 : attempt === 1 ? 500 : attempt === 2 ? 'hang' : 204;
    dispatcher();
    const expected = await eventsOf(a.id);
    await expect
      .poll(
        allSettled(
          expected.map((e) => e.id),
          '/retry',
        ),
        { timeout: 30_000 },
      )
      .toBe(true);
    for (const { id } of expected) expect(receiver.attemptsOf('/retry', id)).toBe(3);
    const versions = receiver.acknowledged('/retry').map((r) => r.body.data.version);
    expect(versions).toEqual(expected.map((_, i) => i + 1));
    // The receiver answered; the dispatcher records it right after.
    const recorded = async () =>
      (await db().webhookDelivery.findMany({ where: { endpoint: { customerId: a.id } } })).map((d) => [
        d.status,
        d.attempts,
      ]);
    await expect.poll(recorded).toEqual(expected.map(() => ['delivered', 3]));
    expect(receiver.overlaps).toEqual([]);
  });

  it('gives up after the last retry (failed, resendable), and goes on with the next event', async () => {
    const a = await apiCustomer('Dead Letter');
    const { id: endpointId } = await endpoint(a, '/dead');
    const account = await a.open('10.00');
    const opened = publicEventId(`account-${account.id}`, 1);
    receiver.answer = (request) => (request.path === '/dead' && request.id === opened ? 503 : 204);
    await a.deposit(account.id, { amount: '1.00' });
    dispatcher();
    // Every later event goes out once the first is given up (polling for a count could miss a moment).
    const later = (await eventsOf(a.id)).map((e) => e.id).filter((id) => id !== opened);
    expect(later.length).toBeGreaterThan(0);
    await expect.poll(() => receiver.acknowledged('/dead').map((r) => r.id), { timeout: 30_000 }).toEqual(later);
    const failed = await db().webhookDelivery.findFirstOrThrow({ where: { endpointId, eventId: opened } });
    expect(failed).toMatchObject({ status: 'failed', attempts: 4, lastStatusCode: 503, lastError: 'HTTP 503' });
    expect(receiver.attemptsOf('/dead', opened)).toBe(4);

    receiver.answer = () => 204;
    expect(await resendDelivery(db(), a.id, endpointId, failed.id.toString())).toMatchObject({ eventId: opened });
    expect(await resendDelivery(db(), randomUUID(), endpointId, failed.id.toString())).toBe('endpoint-not-found');
    await expect.poll(() => receiver.acknowledged('/dead').map((r) => r.id), { timeout: 30_000 }).toContain(opened);
    expect(receiver.attemptsOf('/dead', opened)).toBe(5);
  });

  it('disables an endpoint that has failed everything for 5 days and says why', async () => {
    const a = await apiCustomer('Five Days');
    const { id } = await endpoint(a, '/gone');
    await db().webhookEndpoint.update({ where: { id }, data: { failingSince: new Date(Date.now() - 6 * 86_400_000) } });
    receiver.answer = (request) => (request.path === '/gone' ? 500 : 204);
    const disabled: string[] = [];
    dispatcher({ onDisabled: (claimed, reason) => disabled.push(`${claimed.endpointId} ${reason}`) });
    await a.open('1.00');
    await expect.poll(() => disabled.length, { timeout: 30_000 }).toBe(1);
    expect(disabled[0]).toMatch(new RegExp(`^${id} Disabled automatically: every delivery failed for 5 days`));
    const stored = await db().webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored.enabled).toBe(false);
    expect(stored.disabledReason).toMatch(/5 days/);
  });
});

describe('replay from a point in time', () => {
  it('delivers exactly the events from that time on, with their own ids', async () => {
    const a = await apiCustomer('Replay Owner');
    // The fan-out follows the log while the dispatcher runs: events committed before the endpoint
    // exists are not sent to it (they could be, were the fan-out behind: at least once).
    dispatcher();
    const account = await a.open('10.00');
    await a.deposit(account.id, { amount: '1.00' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const from = new Date();
    await new Promise((resolve) => setTimeout(resolve, 30));
    for (let i = 0; i < 3; i++) await a.withdraw(account.id, { amount: '1.00' });
    const second = await a.open('2.00');
    // The endpoint is added after the events: only the replay sends them.
    await expect.poll(fanOutBehind, { timeout: 30_000 }).toBe(0);
    const { id } = await endpoint(a, '/replay');
    const { response } = await a.api.POST('/api/webhook-endpoints/{endpointId}/replay', {
      params: { path: { endpointId: id }, header: { 'Idempotency-Key': randomUUID() } },
      body: { from: from.toISOString() },
    });
    expect(response.status).toBe(202);
    const expected = await eventsOf(a.id, from);
    expect(expected.length).toBe(5);
    await expect.poll(() => receiver.acknowledged('/replay').length, { timeout: 30_000 }).toBe(5);
    // Exactly those ids; in order per account (accounts go side by side).
    expect(
      receiver
        .acknowledged('/replay')
        .map((r) => r.id)
        .sort(),
    ).toEqual(expected.map((e) => e.id).sort());
    for (const accountId of [account.id, second.id])
      expect(
        receiver
          .acknowledged('/replay')
          .filter((r) => r.body.data.accountId === accountId)
          .map((r) => r.id),
      ).toEqual(expected.filter((e) => e.accountId === accountId).map((e) => e.id));
    expect(receiver.acknowledged('/replay').map((r) => r.body.data.accountId)).toContain(second.id);
  });
});

describe('several dispatchers', () => {
  it('share the work: every event once, no attempt in flight twice, no account overtaking itself', async () => {
    const duplicatesBefore = receiver.duplicates;
    const customers = await Promise.all(['One', 'Two', 'Three'].map((n) => apiCustomer(`Shared ${n}`)));
    for (const [i, c] of customers.entries()) await endpoint(c, `/shared/${i}`);
    receiver.answer = () => ({ status: 200, afterMs: 15 });
    // Generous timeout and lease: an attempt repeated here could only be one claimed twice.
    for (let d = 0; d < 3; d++) dispatcher({ concurrency: 4, timeoutMs: 10_000, leaseMs: 30_000 });
    const accounts = await Promise.all(customers.flatMap((c) => [c.open('100.00'), c.open('100.00')]));
    await Promise.all(
      accounts.map(async (account, i) => {
        const owner = customers[Math.floor(i / 2)]!;
        for (let n = 0; n < 6; n++) await owner.deposit(account.id, { amount: '1.00' });
      }),
    );
    for (const [i, c] of customers.entries()) {
      const expected = await eventsOf(c.id);
      await expect
        .poll(
          allSettled(
            expected.map((e) => e.id),
            `/shared/${i}`,
          ),
          { timeout: 60_000 },
        )
        .toBe(true);
      for (const { id } of expected) expect(receiver.attemptsOf(`/shared/${i}`, id)).toBe(1);
    }
    expect(receiver.overlaps).toEqual([]);
    expect(receiver.duplicates - duplicatesBefore).toBe(0);
  });
});
