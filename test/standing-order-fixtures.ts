// Accounts and standing orders made straight through the handlers, for the tests that drive the
// scheduler themselves (lib/standing-orders/scheduler.int.test.ts, the relay's and the webhooks').
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { newAccountId } from '@/lib/accounts/ids';
import type { Db } from '@/lib/db/prisma';
import type { Every } from '@/lib/standing-orders/domain/schedule';
import { handleStandingOrderCommand } from '@/lib/standing-orders/commands';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

/** When these orders are created: before every first payment the tests schedule. */
export const ORDERS_CREATED = new Date('2027-01-10T09:00:00.000Z');

/** Opens an account of `customerId` (the test customer by default) with an opening deposit. */
export async function openAccountFor(
  db: Db,
  openingDepositCents: number,
  { owner = 'T', customerId = CUSTOMER }: { owner?: string; customerId?: string } = {},
): Promise<AccountId> {
  const accountId = newAccountId();
  const result = await handleAccountCommand(
    {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner, openingDepositCents },
      metadata: { commandId: randomUUID(), now: ORDERS_CREATED, customerId },
    },
    { db },
  );
  expect(result.status).toBe('accepted');
  return accountId;
}

type Order = {
  from: AccountId;
  to: AccountId;
  /** The payee's number as the customer typed it; the test's own numbering by default. */
  toAccountNumber?: string;
  amountCents: number;
  every: Every;
  firstPaymentOn: string;
  customerId?: string;
};

/** Creates a standing order (accepted, or the test fails) and returns its id. */
export async function createOrder(db: Db, order: Order): Promise<string> {
  const standingOrderId = randomUUID();
  const result = await handleStandingOrderCommand(
    {
      type: 'CreateStandingOrder',
      data: {
        standingOrderId,
        fromAccountId: order.from,
        toAccountId: order.to,
        toAccountNumber: order.toAccountNumber ?? testAccountNumber(order.to),
        amountCents: order.amountCents,
        every: order.every,
        firstPaymentOn: order.firstPaymentOn,
      },
      metadata: { commandId: randomUUID(), now: ORDERS_CREATED, customerId: order.customerId ?? CUSTOMER },
    },
    { db },
  );
  expect(result.status).toBe('accepted');
  return standingOrderId;
}
