import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { getOwnedAccount } from '@/lib/accounts/queries';
import { scopedCommandId } from '@/lib/accounts/ids';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { tooManyRequests } from '@/lib/http/api-limits';
import { jsonResponse, problem, problemResponse } from '@/lib/http/problem';
import { createdBody, listBody, standingOrderBody, standingOrderResponse } from '@/lib/standing-orders/http';
import { standingOrdersOf } from '@/lib/standing-orders/queries';
import { createStandingOrder } from '@/lib/standing-orders/service';

type Params = { params: Promise<{ accountId: string }> };

const noAccount = (accountId: string) =>
  problemResponse(problem('account-not-found', `There is no account ${accountId.slice(0, 100)}.`));

/** A new standing order from one of the caller's accounts to any account, by its number. */
export async function POST(request: Request, { params }: Params) {
  return customerRequest(request, async (customer) => {
    const checked = await commandRequest(request, standingOrderBody);
    if (!checked.ok) return checked.response;
    const { accountId } = await params;
    const from = parseAccountId(accountId);
    if (!from) return noAccount(accountId);
    const { toAccountNumber, amount, every, firstPaymentOn } = checked.body;
    const outcome = await createStandingOrder(
      customer.id,
      { fromAccountId: from, toAccountNumber, amountCents: amount, every, firstPaymentOn },
      scopedCommandId(customer.id, checked.key),
      new Date(),
    );
    if (outcome.status === 'over-budget')
      return tooManyRequests(
        `This customer has looked up too many account numbers; retry in ${outcome.retryAfterSeconds} s. Nothing was created.`,
        outcome,
      );
    if (outcome.status === 'not-found') {
      // One answer for a source that is not the caller's and for a number no account has.
      const detail = `No standing order from ${from} to ${toAccountNumber}: the source is not one of your accounts, or no account has this number.`;
      return problemResponse(problem('account-not-found', detail, { accountNumber: toAccountNumber }));
    }
    return standingOrderResponse(outcome, 201, createdBody);
  });
}

/** The standing orders paying from one of the caller's accounts, each with its occurrences. */
export async function GET(request: Request, { params }: Params) {
  return customerRequest(request, async (customer) => {
    const { accountId } = await params;
    const id = parseAccountId(accountId);
    // Someone else's account answers exactly like an unknown one.
    if (!id || !(await getOwnedAccount(id, customer.id))) return noAccount(accountId);
    return jsonResponse(200, listBody(await standingOrdersOf(customer.id, id)));
  });
}
