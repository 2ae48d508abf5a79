import { getOwnedAccount } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { formatDecimal } from '@/lib/domain/money';
import { customerRequest } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return customerRequest(request, async (customer) => {
    const { accountId } = await params;
    const id = parseAccountId(accountId);
    // Someone else's account answers exactly like an unknown one.
    const account = id && (await getOwnedAccount(id, customer.id));
    if (!account)
      return problemResponse(problem('account-not-found', `There is no account ${accountId.slice(0, 100)}.`));
    return jsonResponse(200, {
      id: account.accountId,
      accountNumber: account.accountNumber,
      name: account.owner,
      balance: formatDecimal(account.balanceCents),
      version: account.version,
      updatedAt: account.updatedAt.toISOString(),
    });
  });
}
