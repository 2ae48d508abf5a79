import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { currentCustomer, requireCustomer } from '@/lib/auth/customer';
import { formatUsd } from '@/lib/domain/money';
import { formatTime } from '@/app/components/format-time';
import { getOwnedAccount, recentTransactions } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/domain/account-id';
import { formatAccountNumber } from '@/lib/domain/account-number';
import { MoneyForm } from './money-form';
import { TransferForm } from './transfer-form';

type Props = { params: Promise<{ accountId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await connection();
  const customer = await currentCustomer();
  if (!customer) return { title: 'Sign in · Idem' };
  const id = parseAccountId((await params).accountId);
  const account = id && (await getOwnedAccount(id, customer.id));
  return { title: account ? `${account.owner} · Idem` : 'Account not found · Idem' };
}

export default async function AccountPage({ params }: Props) {
  await connection();
  const { accountId } = await params;
  const customer = await requireCustomer(`/accounts/${encodeURIComponent(accountId)}`);
  const id = parseAccountId(accountId);
  // Someone else's account is, to this customer, not there: the same 404 as an unknown id.
  const account = id && (await getOwnedAccount(id, customer.id));
  if (!account) notFound();
  const transactions = await recentTransactions(account.accountId);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/">← Your accounts</Link>
      </p>
      <h1>{account.owner}</h1>
      <p className="balance-line">
        Balance <strong data-testid="balance">{formatUsd(account.balanceCents)}</strong>
        <span className="muted">
          {' '}
          · account number <span data-testid="account-number">{formatAccountNumber(account.accountNumber)}</span>
        </span>
      </p>
      <div className="forms">
        <MoneyForm accountId={account.accountId} kind="Deposit" />
        <MoneyForm accountId={account.accountId} kind="Withdraw" />
        <TransferForm accountId={account.accountId} commandId={randomUUID()} />
      </div>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Recent transactions</h2>
        {transactions.length === 0 ? (
          <p className="muted">No transactions yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col" className="num">Balance after</th>
              </tr>
            </thead>
            <tbody>
              {transactions.map((t) => (
                <tr key={t.version} data-testid="transaction">
                  <td>
                    <time dateTime={t.occurredAt.toISOString()}>{formatTime(t.occurredAt)}</time>
                  </td>
                  <td>
                    <TransactionKind kind={t.kind} counterpartyId={t.counterpartyId} counterpartyOwner={t.counterpartyOwner} />
                  </td>
                  <td className="num">
                    {t.kind === 'deposit' || t.kind === 'transfer-in' ? '+' : '−'}
                    {formatUsd(t.amountCents)}
                  </td>
                  <td className="num">{formatUsd(t.balanceAfterCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function TransactionKind({ kind, counterpartyId, counterpartyOwner }: { kind: string; counterpartyId: string | null; counterpartyOwner: string | null }) {
  if (kind === 'deposit') return <>Deposit</>;
  if (kind === 'withdrawal') return <>Withdrawal</>;
  const label = kind === 'transfer-out' ? 'Transfer to' : 'Transfer from';
  return (
    <>
      {label}{' '}
      {counterpartyId ? <Link href={`/accounts/${counterpartyId}`}>{counterpartyOwner ?? counterpartyId.slice(0, 8)}</Link> : 'another account'}
    </>
  );
}
