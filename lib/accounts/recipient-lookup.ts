import 'server-only';
import { db } from '@/lib/db/prisma';
import type { AccountNumber } from '@/lib/accounts/domain/account-number';
import { consumeRecipientLookup } from '@/lib/http/api-limits';
import { findRecipient } from './queries';

export type Recipient = NonNullable<Awaited<ReturnType<typeof findRecipient>>>;

/**
 * The one way a customer turns an account number into a recipient (the transfer form's review and
 * confirmation, and POST /api/transfers):
 *   1. the source must be one of the caller's own accounts, checked before anything is looked up:
 *      from someone else's account (or none), nothing about the number is revealed;
 *   2. every look-up spends one point of the customer's budget (IDEM_RECIPIENT_LOOKUP_LIMIT), so
 *      numbers cannot be walked to list who holds them;
 *   3. `not-found` is one answer for "not your source" and "no such number": callers answer both alike.
 */
export async function lookUpRecipient(
  customerId: string,
  fromAccountId: string,
  accountNumber: AccountNumber,
): Promise<
  | { status: 'found'; recipient: Recipient }
  | { status: 'not-found' }
  | { status: 'over-budget'; retryAfterSeconds: number }
> {
  const owned = await db().accountBalance.count({ where: { accountId: fromAccountId, customerId } });
  if (owned === 0) return { status: 'not-found' };
  const refused = await consumeRecipientLookup(customerId);
  if (refused) return { status: 'over-budget', retryAfterSeconds: refused.retryAfterSeconds };
  const recipient = await findRecipient(accountNumber);
  return recipient ? { status: 'found', recipient } : { status: 'not-found' };
}
