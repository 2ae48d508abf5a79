import 'server-only';
import { randomUUID } from 'node:crypto';
import type { AccountNumber } from '@/lib/accounts/domain/account-number';
import { lookUpRecipient, type Recipient } from '@/lib/accounts/recipient-lookup';
import type { Cents } from '@/lib/domain/money';
import type { Every } from '@/lib/standing-orders/domain/schedule';
import { handleStandingOrderCommand, type StandingOrderCommandResult } from './commands';

// What a customer does with standing orders, for the API and the pages alike. The engine records;
// this module finds the payee (with the transfer's own rules: the source must be the caller's, every
// look-up spends the customer's budget) and names the commands.

export type NewStandingOrder = {
  fromAccountId: string;
  toAccountNumber: AccountNumber;
  amountCents: Cents;
  every: Every;
  firstPaymentOn: string;
};

export type CreateOutcome =
  StandingOrderCommandResult | { status: 'not-found' } | { status: 'over-budget'; retryAfterSeconds: number };

export async function createStandingOrder(
  customerId: string,
  order: NewStandingOrder,
  commandId: string,
  now: Date,
  recipient?: Recipient,
): Promise<CreateOutcome> {
  let payee = recipient;
  if (!payee) {
    const lookup = await lookUpRecipient(customerId, order.fromAccountId, order.toAccountNumber);
    if (lookup.status !== 'found') return lookup;
    payee = lookup.recipient;
  }
  return handleStandingOrderCommand({
    type: 'CreateStandingOrder',
    data: {
      // A new id every time: a retry with the same command id is replayed before this id is used.
      standingOrderId: randomUUID(),
      fromAccountId: order.fromAccountId,
      toAccountId: payee.accountId,
      toAccountNumber: payee.accountNumber,
      amountCents: order.amountCents,
      every: order.every,
      firstPaymentOn: order.firstPaymentOn,
    },
    metadata: { commandId, now, customerId },
  });
}

/**
 * Cancelling has one command id per customer and order: cancelling twice (a double click, a
 * retried DELETE) is the same command, answered the same way.
 */
export const cancelStandingOrder = (customerId: string, standingOrderId: string, now: Date) =>
  handleStandingOrderCommand({
    type: 'CancelStandingOrder',
    data: { standingOrderId },
    metadata: { commandId: `${customerId}:cancel-standing-order:${standingOrderId}`, now, customerId },
  });
