import { newAccountId, scopedCommandId } from '@/lib/accounts/ids';
import { openAccount } from '@/lib/accounts/open-account';
import { customerAccounts } from '@/lib/accounts/queries';
import { formatDecimal } from '@/lib/domain/money';
import { accountBody, commandResponse, openAccountBody } from '@/lib/http/account-api';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { jsonResponse } from '@/lib/http/problem';

/** The caller's own accounts, never anyone else's. */
export async function GET(request: Request) {
  return customerRequest(request, async (customer) => {
    const accounts = await customerAccounts(customer.id, 1000);
    return jsonResponse(200, {
      accounts: accounts.map((a) => ({
        id: a.accountId,
        accountNumber: a.accountNumber,
        name: a.owner,
        balance: formatDecimal(a.balanceCents),
        version: a.version,
        updatedAt: a.updatedAt.toISOString(),
      })),
    });
  });
}

export async function POST(request: Request) {
  return customerRequest(request, async (customer) => {
    const checked = await commandRequest(request, openAccountBody);
    if (!checked.ok) return checked.response;
    const accountId = newAccountId();
    const outcome = await openAccount((accountNumber) => ({
      type: 'OpenAccount',
      data: {
        accountId,
        accountNumber,
        owner: checked.body.name,
        openingDepositCents: checked.body.openingDeposit ?? 0,
      },
      metadata: { commandId: scopedCommandId(customer.id, checked.key), now: new Date(), customerId: customer.id },
    }));
    return commandResponse(outcome, accountBody, checked.key);
  });
}
