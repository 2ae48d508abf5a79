import { randomUUID } from 'node:crypto';
import { scopedCommandId } from '@/lib/accounts/ids';
import { lookUpRecipient } from '@/lib/accounts/recipient-lookup';
import { inboundLimitText, submitTransfer } from '@/lib/accounts/submit-transfer';
import { commandResponse, transferBody, transferBody201, transferRejectionProblem } from '@/lib/http/account-api';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { tooManyRequests } from '@/lib/http/api-limits';
import { problem, problemResponse } from '@/lib/http/problem';

/** From one of your accounts to any account, by its number. */
export async function POST(request: Request) {
  return customerRequest(request, async (customer) => {
    const checked = await commandRequest(request, transferBody);
    if (!checked.ok) return checked.response;
    const { from, toAccountNumber, amount, reference } = checked.body;
    const lookup = await lookUpRecipient(customer.id, from, toAccountNumber);
    if (lookup.status === 'over-budget') {
      const detail = `This customer has looked up too many account numbers; retry in ${lookup.retryAfterSeconds} s. Nothing was transferred.`;
      return tooManyRequests(detail, lookup);
    }
    if (lookup.status === 'not-found') {
      // One answer for a source that is not the caller's and for a number no account has: a foreign
      // source reveals nothing about the number (nothing was looked up).
      const detail = `No transfer from ${from} to ${toAccountNumber}: the source is not one of your accounts, or no account has this number.`;
      return problemResponse(problem('account-not-found', detail, { accountNumber: toAccountNumber }));
    }
    const outcome = await submitTransfer({
      type: 'TransferMoney',
      data: {
        transferId: randomUUID(),
        fromAccountId: from,
        toAccountId: lookup.recipient.accountId,
        amountCents: amount,
        ...(reference ? { reference } : {}),
      },
      metadata: { commandId: scopedCommandId(customer.id, checked.key), now: new Date(), customerId: customer.id },
    });
    if (outcome.status === 'inbound-limited') {
      const detail = `${inboundLimitText(outcome.perHour)} Retry in ${outcome.retryAfterSeconds} s with the same Idempotency-Key; nothing was transferred.`;
      return tooManyRequests(detail, outcome);
    }
    return commandResponse(outcome, transferBody201, checked.key, transferRejectionProblem);
  });
}
