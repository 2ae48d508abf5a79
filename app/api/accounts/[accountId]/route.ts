import { formatDecimal } from '@/lib/domain/money';
import { guarded } from '@/lib/http/api-handler';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';
import { getAccount } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/domain/account-id';

export async function GET(_request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  return guarded(async () => {
    const { accountId } = await params;
    const id = parseAccountId(accountId);
    const account = id && (await getAccount(id));
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
