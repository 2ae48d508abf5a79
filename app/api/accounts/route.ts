import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { formatDecimal } from '@/lib/domain/money';
import { accountBody, commandResponse, openAccountBody } from '@/lib/http/account-api';
import { commandRequest, guarded } from '@/lib/http/api-handler';
import { jsonResponse } from '@/lib/http/problem';
import { listAccounts } from '@/lib/accounts/queries';

export async function GET() {
  return guarded(async () => {
    const accounts = await listAccounts(1000);
    return jsonResponse(200, {
      accounts: accounts.map((a) => ({ id: a.accountId, owner: a.owner, balance: formatDecimal(a.balanceCents), version: a.version, updatedAt: a.updatedAt.toISOString() })),
    });
  });
}

export async function POST(request: Request) {
  return guarded(async () => {
    const checked = await commandRequest(request, openAccountBody);
    if (!checked.ok) return checked.response;
    const outcome = await handleAccountCommand({
      type: 'OpenAccount',
      data: { accountId: newAccountId(), owner: checked.body.owner, openingDepositCents: checked.body.openingDeposit ?? 0 },
      metadata: { commandId: checked.key, now: new Date() },
    });
    return commandResponse(outcome, accountBody);
  });
}
