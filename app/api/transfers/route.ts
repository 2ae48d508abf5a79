import { randomUUID } from 'node:crypto';
import { commandResponse, transferBody, transferBody201 } from '@/lib/http/account-api';
import { commandRequest, guarded } from '@/lib/http/api-handler';
import { handleTransfer } from '@/lib/accounts/transfer-command';

export async function POST(request: Request) {
  return guarded(async () => {
    const checked = await commandRequest(request, transferBody);
    if (!checked.ok) return checked.response;
    const { from, to, amount } = checked.body;
    const outcome = await handleTransfer({
      type: 'TransferMoney',
      data: { transferId: randomUUID(), fromAccountId: from, toAccountId: to, amountCents: amount },
      metadata: { commandId: checked.key, now: new Date() },
    });
    return commandResponse(outcome, transferBody201);
  });
}
