import 'server-only';
import { db } from '@/lib/db/prisma';
import type { Cents } from '@/lib/domain/money';
import { notifyCustomer } from '@/lib/mail/notify';
import { errorFields, log } from '@/lib/observability/log';

/** $1,000.00: a transfer of this much or more leaving an account is mailed to the account's owner. */
export const LARGE_TRANSFER_CENTS = 100_000;

/**
 * Called after a transfer command was recorded (never a replay): mails the sending account's owner
 * when the amount is large. Never throws; the command's answer does not wait for it.
 */
export async function notifyLargeTransfer(transfer: {
  fromAccountId: string;
  toAccountNumber: string;
  amountCents: Cents;
}): Promise<void> {
  if (transfer.amountCents < LARGE_TRANSFER_CENTS) return;
  try {
    const from = await db().accountBalance.findUnique({
      where: { accountId: transfer.fromAccountId },
      select: { owner: true, customerId: true },
    });
    if (!from?.customerId) return;
    await notifyCustomer(from.customerId, {
      kind: 'large-transfer',
      amountCents: transfer.amountCents,
      fromAccountName: from.owner,
      toAccountNumber: transfer.toAccountNumber,
    });
  } catch (error) {
    log().error({ mail: 'large-transfer', ...errorFields(error) }, 'mail could not be sent');
  }
}
