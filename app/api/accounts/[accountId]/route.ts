import { formatDecimal } from '@/lib/domain/money';
import { customerRequest } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';
import { getAccount } from '@/lib/queries';

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return customerRequest(request, async () => {
    const { accountId } = await params;
    const account = await getAccount(accountId);
    if (!account) return problemResponse(problem('account-not-found', `There is no account ${accountId.slice(0, 100)}.`));
    return jsonResponse(200, {
      id: account.accountId,
      owner: account.owner,
      balance: formatDecimal(account.balanceCents),
      version: account.version,
      updatedAt: account.updatedAt.toISOString(),
    });
  });
}
