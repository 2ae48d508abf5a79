import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { db } from '@/lib/db/prisma';
import { publicEventId } from '@/lib/public-events/public-event';
import type { Every } from '@/lib/standing-orders/domain/schedule';
import { transferCommandIdOf } from '@/lib/standing-orders/occurrence';
import { lookOnce } from '@/lib/standing-orders/scheduler';
import { WebhookDispatcher } from '@/lib/webhooks/dispatcher';
import { openSecret } from '@/lib/webhooks/secrets';
import { testAuthEnv } from '@/test/auth';
import { apiCustomer, type ApiCustomer, type OpenedAccount } from '@/test/in-process-api';
import { freshDatabase } from '@/test/db';
import { startReceiver, type Receiver } from '@/test/webhook-receiver';
import { fanOutBehind, trustedEndpoint } from '@/test/webhook-endpoints';
import { createOrder as createTestOrder } from '@/test/standing-order-fixtures';

// Standing-order outcomes as webhooks (the types customers subscribe to for their orders): orders
// driven through their scheduler against a real PostgreSQL, deliveries verified with
// `standardwebhooks` by the test receiver. The outcome goes to the paying account's owner only,
// once, with the public schema's rules (payee masked).

let drop: () => Promise<void>;
let receiver: Receiver;
let dispatcher: WebhookDispatcher;
beforeAll(async () => {
  const fresh = await freshDatabase();
  Object.assign(process.env, testAuthEnv, { DATABASE_URL: fresh.url });
  drop = fresh.drop;
  receiver = await startReceiver();
  dispatcher = new WebhookDispatcher(fresh.url, {
    schedule: [50, 100, 150],
    policy: { production: false, allowedHosts: [] },
    openSecret,
    pollMs: 20,
    timeoutMs: 2_000,
    leaseMs: 10_000,
  });
  dispatcher.start();
});
afterAll(async () => {
  await dispatcher.stop();
  await receiver.stop();
  await db().$disconnect();
  await drop();
});

const endpoint = (who: ApiCustomer, path: string, eventTypes?: string[]) =>
  trustedEndpoint(receiver, who, path, eventTypes);

const createOrder = (
  who: ApiCustomer,
  from: OpenedAccount,
  to: OpenedAccount,
  amountCents: number,
  every: Every,
  firstPaymentOn: string,
) =>
  createTestOrder(db(), {
    from: from.id as AccountId,
    to: to.id as AccountId,
    toAccountNumber: to.accountNumber,
    amountCents,
    every,
    firstPaymentOn,
    customerId: who.id,
  });

const look = (iso: string) => lookOnce({ db: db(), clock: () => new Date(iso), batch: 100 });

const undelivered = () => db().webhookDelivery.count({ where: { status: { not: 'delivered' } } });

/** The stream version of an order's outcome event (for its public id). */
async function outcomeVersion(standingOrderId: string, type: string): Promise<number> {
  const event = await db().event.findFirstOrThrow({
    where: { streamId: `standingorder-${standingOrderId}`, type },
  });
  return event.version;
}

describe('standing-order webhooks', () => {
  it('the payer’s endpoints get each outcome once, signed; the payee’s endpoints get none; replay resends them', async () => {
    const [a, b] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Grace Hopper')];
    await endpoint(a, '/so/paid', ['standing_order.paid']);
    await endpoint(a, '/so/refused', ['standing_order.refused']);
    await endpoint(b, '/so/payee');
    const rich = await a.open('100.00', 'Rent');
    const poor = await a.open('1.00', 'Savings');
    const payee = await b.open('0.00', 'Landlord');

    const paidOrder = await createOrder(a, rich, payee, 2_500, 'month', '2027-01-31');
    const refusedOrder = await createOrder(a, poor, payee, 2_000, 'week', '2027-02-01');
    await look('2027-01-31T08:00:00.000Z'); // paid
    await look('2027-02-01T08:00:00.000Z'); // refused once, retried the next day
    await look('2027-02-02T08:00:00.000Z'); // refused for good

    // Everything read by the fan-out and delivered: then the counts are final.
    await expect.poll(fanOutBehind, { timeout: 30_000 }).toBe(0);
    await expect.poll(undelivered, { timeout: 30_000 }).toBe(0);

    const paidId = publicEventId(`standingorder-${paidOrder}`, await outcomeVersion(paidOrder, 'OccurrencePaid'));
    const paid = receiver.acknowledged('/so/paid');
    expect(paid.map((r) => r.id)).toEqual([paidId]);
    expect(paid[0]!.body).toEqual({
      type: 'standing_order.paid',
      timestamp: expect.any(String),
      data: {
        schemaVersion: 1,
        eventId: paidId,
        standingOrderId: paidOrder,
        accountId: rich.id,
        accountNumber: rich.accountNumber,
        dueOn: '2027-01-31',
        amount: '25.00',
        currency: 'USD',
        at: paid[0]!.body.timestamp,
        to: { name: 'G. H*****', accountNumber: payee.accountNumber },
        commandId: transferCommandIdOf(paidOrder, '2027-01-31', 1),
      },
    });

    const refused = receiver.acknowledged('/so/refused');
    expect(refused.map((r) => r.body.type)).toEqual(['standing_order.refused']);
    expect(refused[0]!.body.data).toMatchObject({
      standingOrderId: refusedOrder,
      accountId: poor.id,
      dueOn: '2027-02-01',
      amount: '20.00',
      reason: expect.any(String),
    });
    expect(refused[0]!.body.data).not.toHaveProperty('commandId');

    // The payee's endpoint (every type) got its transfer.received, and nothing of the payer's orders.
    const payeeGot = receiver.acknowledged('/so/payee');
    expect(payeeGot.map((r) => r.body.type)).toContain('transfer.received');
    expect(payeeGot.filter((r) => r.body.type.startsWith('standing_order.'))).toEqual([]);
    expect(new Set(payeeGot.map((r) => r.body.data.accountId))).toEqual(new Set([payee.id]));

    expect(receiver.badSignatures).toEqual([]);
    expect(receiver.duplicates).toBe(0);
    expect(await db().webhookDelivery.count({ where: { eventId: paidId } })).toBe(1);

    // Replay: the payer's new endpoint gets both outcomes again with their own ids; the payee's none.
    const replayOf = async (who: ApiCustomer, path: string) => {
      const { id } = await endpoint(who, path, ['standing_order.paid', 'standing_order.refused']);
      const { data, response } = await who.api.POST('/api/webhook-endpoints/{endpointId}/replay', {
        params: { path: { endpointId: id }, header: { 'Idempotency-Key': randomUUID() } },
        body: { from: '2020-01-01T00:00:00Z' },
      });
      expect(response.status).toBe(202);
      return data!.events;
    };
    expect(await replayOf(a, '/so/replay-a')).toBe(2);
    expect(await replayOf(b, '/so/replay-b')).toBe(0);
    await expect.poll(() => receiver.acknowledged('/so/replay-a').length, { timeout: 30_000 }).toBe(2);
    expect(receiver.acknowledged('/so/replay-a').map((r) => r.id)).toEqual([paidId, refused[0]!.id]);
  });
});
