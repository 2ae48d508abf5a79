import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { withClient } from '@/lib/db/with-client';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { catchUp, ASYNC_PROJECTIONS } from '@/lib/projections/runner';
import { testAccountNumber } from '@/test/customers';
import { freshDatabase } from '@/test/db';
import { formatUsd } from '@/lib/domain/money';
import { dailySeries, dashboardFigures } from './dashboard';

// The dashboard's figures on a database of this file's own, so every number is known exactly.

let url: string;
let drop: () => Promise<void>;
let db: Db;
const NOW = new Date();
const HOURS_AGO = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const CUSTOMER = 'dash-customer';

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  db = createPrismaClient(url, 5);
});
afterAll(async () => {
  await db.$disconnect();
  await drop();
});

const meta = (now: Date, commandId: string = randomUUID()) => ({ commandId, now, customerId: CUSTOMER });

async function open(openingDepositCents: number, now: Date): Promise<AccountId> {
  const accountId = newAccountId();
  const result = await handleAccountCommand(
    {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Dash', openingDepositCents },
      metadata: meta(now),
    },
    { db },
  );
  expect(result.status).toBe('accepted');
  return accountId;
}

describe('dashboard figures', () => {
  it('counts balances, 24 h movements, rejections, absorbed duplicates and projection lag exactly', async () => {
    await withClient(url, async (c) => {
      const user = `INSERT INTO users (id, name, email, created_at, updated_at, role, banned) VALUES ($1, $1, $1 || '@example.test', now(), now(), $2, $3)`;
      await c.query(user, ['ops', 'admin', false]);
      await c.query(user, [CUSTOMER, 'customer', false]);
      await c.query(user, ['gone', 'customer', true]);
      await c.query(user, ['legacy', null, false]);
    });

    const old = await open(5_000, HOURS_AGO(30)); // outside the window: its balance counts, its deposit does not
    const a = await open(10_000, HOURS_AGO(2));
    const b = await open(0, HOURS_AGO(2));
    await handleAccountCommand(
      { type: 'DepositMoney', data: { accountId: a, amountCents: 2_500 }, metadata: meta(HOURS_AGO(1)) },
      { db },
    );
    const withdrawal = {
      type: 'WithdrawMoney',
      data: { accountId: a, amountCents: 1_234 },
      metadata: meta(HOURS_AGO(1), 'same-key'),
    } as const;
    for (let i = 0; i < 3; i++)
      expect(await handleAccountCommand(withdrawal, { db })).toMatchObject({ status: 'accepted', replayed: i > 0 });
    const tooMuch = await handleAccountCommand(
      { type: 'WithdrawMoney', data: { accountId: b, amountCents: 1 }, metadata: meta(HOURS_AGO(1)) },
      { db },
    );
    expect(tooMuch.status).toBe('rejected');
    const transfer = await handleTransfer(
      {
        type: 'TransferMoney',
        data: { transferId: randomUUID(), fromAccountId: a, toAccountId: b, amountCents: 700 },
        metadata: meta(HOURS_AGO(1)),
      },
      { db },
    );
    expect(transfer.status).toBe('accepted');
    await handleAccountCommand(
      { type: 'WithdrawMoney', data: { accountId: old, amountCents: 100 }, metadata: meta(HOURS_AGO(25)) },
      { db },
    );

    const figures = await withClient(url, (c) => dashboardFigures(c, NOW));
    expect(figures).toEqual({
      since: HOURS_AGO(24),
      totalBalanceCents: BigInt(5_000 - 100 + 10_000 + 2_500 - 1_234),
      accounts: 3,
      customers: 3,
      disabledCustomers: 1,
      deposits: { count: 2, cents: 12_500n },
      withdrawals: { count: 1, cents: 1_234n },
      transfers: { count: 1, cents: 700n },
      commandsAccepted: 5,
      commandsRejected: 1,
      duplicatesAbsorbed: 2,
      commandsReplayedInWindow: 1, // replayed just now (the database's clock)
      projectionLag: 10,
    });

    await withClient(url, (c) => catchUp(c, ASYNC_PROJECTIONS[0]!));
    expect((await withClient(url, (c) => dashboardFigures(c, NOW))).projectionLag).toBe(0);

    // The chart's days: every calendar day present, zero where nothing happened.
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const series = await withClient(url, (c) => dailySeries(c, 3, NOW));
    expect(series.map((s) => s.day)).toEqual([
      day(new Date(NOW.getTime() - 2 * 86_400_000)),
      day(new Date(NOW.getTime() - 86_400_000)),
      day(NOW),
    ]);
    const total = (pick: (s: (typeof series)[number]) => { count: number; cents: bigint }) =>
      series.reduce((sum, s) => ({ count: sum.count + pick(s).count, cents: sum.cents + pick(s).cents }), {
        count: 0,
        cents: 0n,
      });
    expect(total((s) => s.deposits)).toEqual({ count: 3, cents: 17_500n });
    expect(total((s) => s.withdrawals)).toEqual({ count: 2, cents: 1_334n });
    expect(total((s) => s.transfers)).toEqual({ count: 1, cents: 700n });
  });
});

describe('totals past 2^53 cents', () => {
  it('are exact bigints end to end: the total of balances and its dollars on the page', async () => {
    const huge = await freshDatabase();
    try {
      // Three accounts just under the balance limit: their sum is far past Number.MAX_SAFE_INTEGER.
      const each = 999_999_999_999_999_001n;
      await withClient(huge.url, async (c) => {
        for (let i = 0; i < 3; i++) {
          const id = newAccountId();
          await c.query(
            `INSERT INTO account_balances (account_id, owner, account_number, balance_cents, version, opened_at, updated_at) VALUES ($1, 'Huge', $2, $3, 1, now(), now())`,
            [id, testAccountNumber(id), String(each)],
          );
        }
      });
      const figures = await withClient(huge.url, (c) => dashboardFigures(c));
      expect(figures.totalBalanceCents).toBe(3n * each);
      expect(formatUsd(figures.totalBalanceCents)).toBe('$29,999,999,999,999,970.03');
    } finally {
      await huge.drop();
    }
  });
});
