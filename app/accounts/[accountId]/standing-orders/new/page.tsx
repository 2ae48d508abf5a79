import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import Link from 'next/link';
import { lookUpRecipient } from '@/lib/accounts/recipient-lookup';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { checkFields, EVERY_LABELS, formatDay, type FieldErrors } from '@/lib/standing-orders/form';
import { AccountHero, accountMetadata, requireOwnedAccount } from '../../owned-account';
import { confirmStandingOrderAction } from '../actions';
import { NewStandingOrderForm } from '../new-standing-order-form';

type Props = {
  params: Promise<{ accountId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return accountMetadata(params, (owner) => `New standing order · ${owner} · Idem`);
}

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.slice(0, 200) ?? '';

/**
 * "New standing order" on a page of its own: the form, then (step=review) the payee's masked name
 * with "Confirm standing order" and "Change". Reviewing writes nothing; it looks the number up as a
 * transfer's review does (only from the customer's own account, within their look-up budget).
 */
export default async function NewStandingOrderPage({ params, searchParams }: Props) {
  const { accountId } = await params;
  const { customer, account } = await requireOwnedAccount(
    accountId,
    `/accounts/${encodeURIComponent(accountId)}/standing-orders/new`,
  );
  const query = await searchParams;
  const values = {
    toAccountNumber: one(query.toAccountNumber),
    amount: one(query.amount),
    every: one(query.every),
    firstPaymentOn: one(query.firstPaymentOn),
  };
  const key = /^[\x21-\x7e]{1,100}$/.test(one(query.key)) ? one(query.key) : randomUUID();
  const today = new Date().toISOString().slice(0, 10);
  const problem = one(query.error);

  let errors: FieldErrors = {};
  let review: { name: string; number: string; amount: string; every: string; first: string } | null = null;
  if (one(query.step) === 'review' && !problem) {
    const checked = checkFields(values, today);
    if (!checked.ok) errors = checked.errors;
    else {
      const lookup = await lookUpRecipient(customer.id, account.accountId, checked.value.toAccountNumber);
      if (lookup.status === 'over-budget')
        errors = { toAccountNumber: 'You have looked up too many account numbers. Try again later.' };
      else if (lookup.status === 'not-found') errors = { toAccountNumber: 'No account has this number' };
      else if (lookup.recipient.accountId === account.accountId)
        errors = { toAccountNumber: 'This is the account you are paying from' };
      else
        review = {
          name: lookup.recipient.maskedName,
          number: formatAccountNumber(lookup.recipient.accountNumber),
          amount: formatUsd(checked.value.amountCents),
          every: EVERY_LABELS[checked.value.every],
          first: formatDay(checked.value.firstPaymentOn),
        };
    }
  }

  return (
    <>
      <p className="breadcrumb">
        <Link href={`/accounts/${account.accountId}`}>← {account.owner}</Link>
      </p>
      <AccountHero
        account={account}
        heading={`New standing order · ${account.owner}`}
        number={<span data-testid="account-number">{formatAccountNumber(account.accountNumber)}</span>}
        compact
      />
      {problem ? (
        <p className="status status-rejected" role="alert" data-testid="standing-order-error">
          {problem}
        </p>
      ) : null}
      {review ? (
        <form action={confirmStandingOrderAction} className="card action-card" aria-label="Confirm standing order">
          {Object.entries({ ...values, key, accountId: account.accountId }).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <div className="transfer-review" data-testid="standing-order-review">
            <p>
              Pay <strong>{review.amount}</strong> to <strong data-testid="recipient-name">{review.name}</strong>,
              account {review.number}, every <strong>{review.every}</strong>, first on <strong>{review.first}</strong>?
            </p>
          </div>
          <div className="button-row">
            <button type="submit">Confirm standing order</button>
            <Link
              className="button secondary"
              href={`/accounts/${account.accountId}/standing-orders/new?${new URLSearchParams({ ...values, key })}`}
            >
              Change
            </Link>
          </div>
        </form>
      ) : (
        <NewStandingOrderForm
          accountId={account.accountId}
          values={values}
          errors={errors}
          commandKey={key}
          today={today}
        />
      )}
    </>
  );
}
