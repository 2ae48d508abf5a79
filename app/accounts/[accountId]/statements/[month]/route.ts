// GET /accounts/<id>/statements/<YYYY-MM>: one monthly statement as CSV, for the account's owner
// only (anyone else, and an unknown account or month: 404, the same answer).
import { currentCustomer } from '@/lib/auth/customer';
import { getOwnedAccount } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { statementCsv } from '@/lib/statements/csv';
import { isMonth, statementOf } from '@/lib/statements/queries';

const notFound = () => new Response('Not found\n', { status: 404, headers: { 'content-type': 'text/plain' } });

export async function GET(_request: Request, { params }: { params: Promise<{ accountId: string; month: string }> }) {
  const { accountId, month } = await params;
  const customer = await currentCustomer();
  const id = parseAccountId(accountId);
  if (!customer || !id || !isMonth(month)) return notFound();
  const account = await getOwnedAccount(id, customer.id);
  if (!account) return notFound();
  const statement = await statementOf(account.accountId, month);
  if (!statement) return notFound();
  return new Response(statementCsv(account.accountNumber, statement.summary, statement.movements), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="statement-${account.accountNumber}-${month}.csv"`,
      'cache-control': 'private, no-store',
    },
  });
}
