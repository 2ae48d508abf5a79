import 'server-only';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { scopedCommandId } from '@/lib/accounts/ids';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { commandResponse, moneyMovementBody, movementBody } from '@/lib/http/account-api';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { problem, problemResponse } from '@/lib/http/problem';

/** POST /api/accounts/{id}/deposits and …/withdrawals. */
export function moneyMovementRoute(type: 'DepositMoney' | 'WithdrawMoney') {
  return async function POST(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
    return customerRequest(request, async (customer) => {
      const checked = await commandRequest(request, moneyMovementBody);
      if (!checked.ok) return checked.response;
      const raw = (await params).accountId;
      const accountId = parseAccountId(raw);
      if (!accountId)
        return problemResponse(problem('account-not-found', `"${raw.slice(0, 100)}" is not an account id (a UUID).`));
      const outcome = await handleAccountCommand({
        type,
        data: { accountId, amountCents: checked.body.amount },
        metadata: { commandId: scopedCommandId(customer.id, checked.key), now: new Date(), customerId: customer.id },
      });
      return commandResponse(outcome, movementBody, checked.key);
    });
  };
}
