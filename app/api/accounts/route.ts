import { randomUUID } from 'node:crypto';
import { handleAccountCommand } from '@/lib/account-commands';
import { formatDecimal } from '@/lib/domain/money';
import { accountBody, commandResponse, openAccountBody } from '@/lib/http/account-api';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { jsonResponse } from '@/lib/http/problem';
import { listAccounts } from '@/lib/queries';

export async function GET(request: Request) {
  return customerRequest(request, async () => {
    const accounts = await listAccounts(1000);
    return jsonResponse(200, {
      accounts: accounts.map((a) => ({ id: a.accountId, owner: a.owner, balance: formatDecimal(a.balanceCents), version: a.version, updatedAt: a.updatedAt.toISOString() })),
    });
  });
}

export async function POST(request: Request) {
  return customerRequest(request, async () => {
    const checked = await commandRequest(request, openAccountBody);
    if (!checked.ok) return checked.response;
    const outcome = await handleAccountCommand({
      type: 'OpenAccount',
      data: { accountId: randomUUID(), owner: checked.body.owner, openingDepositCents: checked.body.openingDeposit ?? 0 },
      metadata: { commandId: checked.key, now: new Date() },
    });
    return commandResponse(outcome, accountBody);
  });
}
