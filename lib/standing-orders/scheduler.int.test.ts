import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { checkInvariants } from '@/test/invariants';
import { freshDatabase } from '@/test/db';
import { CUSTOMER } from '@/test/customers';
import { createOrder as createTestOrder, openAccountFor, ORDERS_CREATED } from '@/test/standing-order-fixtures';
import type { Every } from './domain/schedule';
import { handleStandingOrderCommand } from './commands';
import { lookOnce } from './scheduler';
import { transferCommandIdOf } from './occurrence';

// The scheduler against a real database of this file's own: several "instances" (concurrent looks
// with their own clocks) on the same due payments, a year fast-forwarded, refusals and cancelling.
let db: Db;
let drop: () => Promise<void>;
let url: string;
beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  db = createPrismaClient(url, 20);
});
afterAll(async () => {
  await db.$disconnect();
  await drop();
});

const open = (openingDepositCents: number) => openAccountFor(db, openingDepositCents);
const createOrder = (from: AccountId, to: AccountId, amountCents: number, every: Every, firstPaymentOn: string) =>
  createTestOrder(db, { from, to, amountCents, every, firstPaymentOn });

const at = (iso: string) => () => new Date(iso);
const transfersOf = async (standingOrderId: string) =>
  (
    await db.command.findMany({
      where: { commandId: { startsWith: `standing-order:${standingOrderId}:` }, type: 'TransferMoney' },
      orderBy: { commandId: 'asc' },
    })
  ).map((c) => ({ id: c.commandId, status: c.status }));
const occurrencesOf = async (standingOrderId: string) =>
  (await db.standingOrderOccurrence.findMany({ where: { standingOrderId }, orderBy: { dueOn: 'asc' } })).map((o) => [
    o.dueOn.toISOString().slice(0, 10),
    o.status,
    o.attempts,
  ]);

describe('the standing-order scheduler', () => {
  it('pays nothing before the due day, then once, however many instances look at once', async () => {
    const [a, b] = [await open(100_000), await open(0)];
    const id = await createOrder(a, b, 2_500, 'month', '2027-01-31');
    const early = await lookOnce({ db, clock: at('2027-01-30T23:59:59.000Z'), batch: 100 });
    expect(early.steps.started).toBe(0);
    expect(await transfersOf(id)).toEqual([]);

    // Five looks at once, clocks up to 30 s apart around midnight of the due day.
    const clocks = ['2027-01-31T00:00:00.000Z', '2027-01-31T00:00:10.000Z', '2027-01-31T00:00:30.000Z'];
    await Promise.all([...clocks, ...clocks.slice(1)].map((c) => lookOnce({ db, clock: at(c), batch: 100 })));
    expect(await transfersOf(id)).toEqual([{ id: transferCommandIdOf(id, '2027-01-31', 1), status: 'accepted' }]);
    expect(await occurrencesOf(id)).toEqual([['2027-01-31', 'paid', 1]]);
    const balance = await db.accountBalance.findUniqueOrThrow({ where: { accountId: b } });
    expect(balance.balanceCents).toBe(2_500n);
    const row = await db.standingOrder.findUniqueOrThrow({ where: { standingOrderId: id } });
    expect(row.nextDueOn?.toISOString().slice(0, 10)).toBe('2027-02-28');
  });

  it('fast-forwards a year of a monthly payment on the 31st: short months paid on their last day', async () => {
    const [a, b] = [await open(1_000_000), await open(0)];
    const id = await createOrder(a, b, 1_000, 'month', '2027-01-31');
    await Promise.all([0, 1, 2].map(() => lookOnce({ db, clock: at('2027-12-31T12:00:00.000Z'), batch: 100 })));
    const days = (await occurrencesOf(id)).map(([day]) => day);
    expect(days).toEqual([
      '2027-01-31',
      '2027-02-28',
      '2027-03-31',
      '2027-04-30',
      '2027-05-31',
      '2027-06-30',
      '2027-07-31',
      '2027-08-31',
      '2027-09-30',
      '2027-10-31',
      '2027-11-30',
      '2027-12-31',
    ]);
    expect((await transfersOf(id)).length).toBe(12);
    expect((await db.accountBalance.findUniqueOrThrow({ where: { accountId: b } })).balanceCents).toBe(12_000n);
  });

  it('a refused payment is retried the next day, then recorded refused; the next one is paid', async () => {
    const [a, b] = [await open(1_500), await open(0)];
    const id = await createOrder(a, b, 2_000, 'week', '2027-02-01');
    await lookOnce({ db, clock: at('2027-02-01T08:00:00.000Z'), batch: 100 });
    expect(await occurrencesOf(id)).toEqual([['2027-02-01', 'pending', 1]]);
    await lookOnce({ db, clock: at('2027-02-02T08:00:00.000Z'), batch: 100 });
    expect(await occurrencesOf(id)).toEqual([['2027-02-01', 'refused', 2]]);
    expect((await transfersOf(id)).map((t) => t.status)).toEqual(['rejected', 'rejected']);
    await handleAccountCommand(
      {
        type: 'DepositMoney',
        data: { accountId: a, amountCents: 1_000 },
        metadata: { commandId: randomUUID(), now: ORDERS_CREATED, customerId: CUSTOMER },
      },
      { db },
    );
    await lookOnce({ db, clock: at('2027-02-08T08:00:00.000Z'), batch: 100 });
    expect(await occurrencesOf(id)).toEqual([
      ['2027-02-01', 'refused', 2],
      ['2027-02-08', 'paid', 1],
    ]);
  });

  it("a customer's payments into one account count against IDEM_INBOUND_TRANSFERS_PER_HOUR: the ones over it wait, then are paid", async () => {
    vi.stubEnv('IDEM_INBOUND_TRANSFERS_PER_HOUR', '2');
    try {
      const [a, b, c] = [await open(100_000), await open(0), await open(0)];
      const intoB = [
        await createOrder(a, b, 1, 'week', '2027-04-05'),
        await createOrder(a, b, 1, 'week', '2027-04-05'),
        await createOrder(a, b, 1, 'week', '2027-04-05'),
      ];
      const intoC = await createOrder(a, c, 1, 'week', '2027-04-05');
      const clock = at('2027-04-05T08:00:00.000Z');
      // (Other tests' weekly orders are due too: the look's counts are not only these orders'.)
      expect((await lookOnce({ db, clock, batch: 100 })).steps.limited).toBeGreaterThanOrEqual(1);
      const statuses = async () => Promise.all(intoB.map(async (id) => (await occurrencesOf(id))[0]?.[1]));
      // Two paid into b; the third is still running (pending, no transfer recorded), not refused.
      expect((await statuses()).sort()).toEqual(['paid', 'paid', 'pending']);
      const waiting = (await Promise.all(intoB.map(async (id) => ({ id, t: await transfersOf(id) })))).find(
        (o) => o.t.length === 0,
      );
      expect(waiting).toBeDefined();
      expect((await db.accountBalance.findUniqueOrThrow({ where: { accountId: b } })).balanceCents).toBe(2n);
      // Another payee of the same customer is not held up by b's limit.
      expect(await occurrencesOf(intoC)).toEqual([['2027-04-05', 'paid', 1]]);

      // Looking again while the hour is used up changes nothing (and refuses nothing).
      await lookOnce({ db, clock, batch: 100 });
      expect((await statuses()).sort()).toEqual(['paid', 'paid', 'pending']);

      // When the limit has room again (here: raised), the waiting payment is made, once.
      vi.stubEnv('IDEM_INBOUND_TRANSFERS_PER_HOUR', '10');
      await lookOnce({ db, clock, batch: 100 });
      expect(await statuses()).toEqual(['paid', 'paid', 'paid']);
      expect(await transfersOf(waiting!.id)).toEqual([
        { id: transferCommandIdOf(waiting!.id, '2027-04-05', 1), status: 'accepted' },
      ]);
      expect((await db.accountBalance.findUniqueOrThrow({ where: { accountId: b } })).balanceCents).toBe(3n);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('cancelling stops the payments not yet started', async () => {
    const [a, b] = [await open(100_000), await open(0)];
    const id = await createOrder(a, b, 100, 'week', '2027-03-01');
    await lookOnce({ db, clock: at('2027-03-01T08:00:00.000Z'), batch: 100 });
    const cancelled = await handleStandingOrderCommand(
      {
        type: 'CancelStandingOrder',
        data: { standingOrderId: id },
        metadata: { commandId: randomUUID(), now: new Date('2027-03-02T08:00:00.000Z'), customerId: CUSTOMER },
      },
      { db },
    );
    expect(cancelled).toMatchObject({ status: 'accepted', result: { runningWhenCancelled: null } });
    await lookOnce({ db, clock: at('2027-06-01T08:00:00.000Z'), batch: 100 });
    expect(await occurrencesOf(id)).toEqual([['2027-03-01', 'paid', 1]]);
  });

  it('leaves a ledger the invariant checker accepts', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await checkInvariants(client, [], { allowUnobservedCommands: true });
    } finally {
      await client.end();
    }
  });
});
