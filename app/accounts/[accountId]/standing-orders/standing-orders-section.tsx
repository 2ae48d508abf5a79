import { randomUUID } from 'node:crypto';
import Link from 'next/link';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { EVERY_LABELS, formatDay } from '@/lib/standing-orders/form';
import { standingOrdersOf, transferVersions, type OccurrenceView } from '@/lib/standing-orders/queries';
import { cancelStandingOrderAction } from './actions';
import { NewStandingOrder } from './new-standing-order';
import { NewStandingOrderForm } from './new-standing-order-form';

const REASONS: Record<string, string> = {
  'insufficient-funds': 'insufficient funds',
  'account-closed': 'account closed',
  'balance-limit': 'the recipient’s balance limit',
  'invalid-amount': 'invalid amount',
};

function outcomeText(o: OccurrenceView): string {
  if (o.status === 'paid') return 'Paid';
  if (o.status === 'refused') return `Refused: ${REASONS[o.reason ?? ''] ?? 'refused'}`;
  if (o.retryOn) return `Pending: retry on ${formatDay(o.retryOn)} (${REASONS[o.reason ?? ''] ?? 'refused'})`;
  return 'Pending';
}

/** What the last redirect of a standing-order action said (`?standing-order=…`). */
function noticeText(notice: string | undefined): string | null {
  if (!notice) return null;
  if (notice === 'created') return 'Standing order created.';
  if (notice === 'cancel-failed') return 'This standing order could not be cancelled.';
  const running = /^cancelled:(\d{4}-\d{2}-\d{2})$/.exec(notice)?.[1];
  if (running)
    return `Standing order cancelled. The payment due ${formatDay(running)} had already started and completes.`;
  if (notice === 'cancelled:none') return 'Standing order cancelled. No payment was running.';
  return null;
}

/**
 * The account page's "Standing orders": "New standing order", then each order with its next date,
 * last outcome, "Cancel" and its history (paid with a link to the transfer, refused with the reason,
 * pending). Every control is a plain form or link, so it all works without JavaScript.
 */
export async function StandingOrdersSection({
  accountId,
  customerId,
  notice,
}: {
  accountId: string;
  customerId: string;
  notice?: string;
}) {
  const orders = await standingOrdersOf(customerId, accountId);
  const versions = await transferVersions(
    accountId,
    orders.flatMap((o) => o.occurrences.flatMap((x) => (x.commandId ? [x.commandId] : []))),
  );
  const today = new Date().toISOString().slice(0, 10);
  const said = noticeText(notice);
  return (
    <section aria-labelledby="standing-orders-heading" className="history standing-orders">
      <h2 id="standing-orders-heading">Standing orders</h2>
      {said ? (
        <p className="status" role="status" data-testid="standing-order-notice" tabIndex={-1}>
          {said}
        </p>
      ) : null}
      <NewStandingOrder href={`/accounts/${accountId}/standing-orders/new`}>
        <NewStandingOrderForm
          accountId={accountId}
          values={{ toAccountNumber: '', amount: '', every: 'month', firstPaymentOn: today }}
          errors={{}}
          commandKey={randomUUID()}
          today={today}
        />
      </NewStandingOrder>
      {orders.length === 0 ? <p className="muted">No standing orders.</p> : null}
      <ul className="standing-order-list">
        {orders.map((order) => {
          const last = order.occurrences.filter((x) => x.status !== 'pending').at(-1);
          return (
            <li key={order.id} data-testid="standing-order" className="card">
              <p>
                <strong>{formatUsd(order.amountCents)}</strong> to {formatAccountNumber(order.toAccountNumber)}, every{' '}
                {EVERY_LABELS[order.every]}
                {order.status === 'cancelled' ? ' · cancelled' : ''}
              </p>
              <p data-testid="next-payment">
                Next payment: {order.nextPaymentOn ? formatDay(order.nextPaymentOn) : 'none'}
              </p>
              <p data-testid="last-outcome">
                Last outcome: {last ? `${outcomeText(last)} (${formatDay(last.dueOn)})` : 'none yet'}
              </p>
              {order.status === 'active' ? (
                <form action={cancelStandingOrderAction}>
                  <input type="hidden" name="accountId" value={accountId} />
                  <input type="hidden" name="standingOrderId" value={order.id} />
                  <button type="submit" className="secondary">
                    Cancel
                  </button>
                </form>
              ) : null}
              <details>
                <summary>History</summary>
                <ul aria-label="Payments" className="occurrences">
                  {order.occurrences.map((x) => {
                    const version = x.commandId ? versions.get(x.commandId) : undefined;
                    return (
                      <li key={x.dueOn} data-testid="occurrence" data-status={x.status}>
                        {formatDay(x.dueOn)}: {outcomeText(x)}
                        {version !== undefined ? (
                          <>
                            {' '}
                            <Link href={`/accounts/${accountId}?kind=transfers&before=${version + 1}#history-heading`}>
                              See the transfer
                            </Link>
                          </>
                        ) : null}
                      </li>
                    );
                  })}
                </ul>
              </details>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
