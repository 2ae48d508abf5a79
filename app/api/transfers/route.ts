import { randomUUID } from 'node:crypto';
import { scopedCommandId } from '@/lib/accounts/ids';
import { findRecipient } from '@/lib/accounts/queries';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { commandResponse, transferBody, transferBody201 } from '@/lib/http/account-api';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { problem, problemResponse } from '@/lib/http/problem';

/** From one of your accounts to any account, by its number. */
export async function POST(request: Request) {
  return customerRequest(request, async (customer) => {
    const checked = await commandRequest(request, transferBody);
    if (!checked.ok) return checked.response;
    const { from, toAccountNumber, amount } = checked.body;
    const recipient = await findRecipient(toAccountNumber);
    if (!recipient) {
      return problemResponse(problem('account-not-found', `There is no account with the number ${toAccountNumber}.`, { accountNumber: toAccountNumber }));
    }
    const outcome = await handleTransfer({
      type: 'TransferMoney',
      data: { transferId: randomUUID(), fromAccountId: from, toAccountId: recipient.accountId, amountCents: amount },
      metadata: { commandId: scopedCommandId(customer.id, checked.key), now: new Date(), customerId: customer.id },
    });
    return commandResponse(outcome, transferBody201, checked.key);
  });
}
