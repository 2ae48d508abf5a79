import 'server-only';
import { handleAccountCommand } from '@/lib/account-commands';
import { isAccountId } from '@/lib/forms/schemas';
import { commandResponse, moneyMovementBody, movementBody } from '@/lib/http/account-api';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { problem, problemResponse } from '@/lib/http/problem';

/** POST /api/accounts/{id}/deposits and …/withdrawals. */
export function moneyMovementRoute(type: 'DepositMoney' | 'WithdrawMoney') {
  return async function POST(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
    return customerRequest(request, async () => {
      const checked = await commandRequest(request, moneyMovementBody);
      if (!checked.ok) return checked.response;
      const { accountId } = await params;
      if (!isAccountId(accountId)) return problemResponse(problem('account-not-found', `"${accountId.slice(0, 100)}" is not an account id (a UUID).`));
      const outcome = await handleAccountCommand({
        type,
        data: { accountId: accountId.toLowerCase(), amountCents: checked.body.amount },
        metadata: { commandId: checked.key, now: new Date() },
      });
      return commandResponse(outcome, movementBody);
    });
  };
}
