import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { CopyButton } from '@/app/components/copy-button';
import { LocalTime } from '@/app/components/local-time';
import { currentCustomer, requireCustomer } from '@/lib/auth/customer';
import { getOwnedAccount } from '@/lib/accounts/queries';
import { parseCursor, parseFilter, transactionPage, TRANSACTION_FILTERS, type TransactionFilter } from '@/lib/accounts/transaction-page';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { AccountActions, type OpenedNotice } from './account-actions';
import { OPENED_COOKIE } from './opened';
import { TransactionList } from './transaction-list';

type SearchParams = Record<string, string | string[] | undefined>;
type Props = { params: Promise<{ accountId: string }>; searchParams: Promise<SearchParams> };

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const FILTER_LABELS: Record<TransactionFilter, string> = { all: 'All', deposits: 'Deposits', withdrawals: 'Withdrawals', transfers: 'Transfers' };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await connection();
  const customer = await currentCustomer();
  if (!customer) return { title: 'Sign in · Idem' };
  const id = parseAccountId((await params).accountId);
  const account = id && (await getOwnedAccount(id, customer.id));
  return { title: account ? `${account.owner} · Idem` : 'Account not found · Idem' };
}

export default async function AccountPage({ params, searchParams }: Props) {
  await connection();
  const { accountId } = await params;
  const customer = await requireCustomer(`/accounts/${encodeURIComponent(accountId)}`);
  const id = parseAccountId(accountId);
  // Someone else's account is, to this customer, not there: the same 404 as an unknown id.
  const account = id && (await getOwnedAccount(id, customer.id));
  if (!account) notFound();

  const query = await searchParams;
  const filter = parseFilter(one(query.kind));
  const before = parseCursor(one(query.before));
  const history = await transactionPage(account, customer.id, { filter, before });
  const number = formatAccountNumber(account.accountNumber);
  const href = (params: { kind?: TransactionFilter; before?: number }) => {
    const search = new URLSearchParams();
    if (params.kind && params.kind !== 'all') search.set('kind', params.kind);
    if (params.before) search.set('before', String(params.before));
    const text = search.toString();
    return `/accounts/${account.accountId}${text ? `?${text}` : ''}#history-heading`;
  };

  // Just opened here (and nothing else happened since): say so, and point at the opening deposit.
  const justOpened = (await cookies()).get(OPENED_COOKIE)?.value === account.accountId && account.version <= 2;
  const opened: OpenedNotice | null = justOpened
    ? {
        message: `Opened “${account.owner}” with ${formatUsd(account.balanceCents)} · account number ${number}`,
        highlight: account.version === 2 ? 2 : null,
      }
    : null;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/">← Your accounts</Link>
      </p>
      <section className="account-hero" aria-labelledby="account-name">
        <h1 id="account-name">{account.owner}</h1>
        <p className="hero-balance">
          <span className="hero-label">Balance</span>
          <strong data-testid="balance">{formatUsd(account.balanceCents)}</strong>
        </p>
        <p className="hero-number">
          Account number <span data-testid="account-number">{number}</span>{' '}
          <CopyButton text={account.accountNumber} label="Copy account number" done="Account number copied" />
        </p>
        <p className="hero-opened muted">
          Opened <LocalTime iso={account.openedAt.toISOString()} />
        </p>
      </section>
      <AccountActions
        accountId={account.accountId}
        version={account.version}
        keys={{ deposit: randomUUID(), withdraw: randomUUID(), transfer: randomUUID() }}
        opened={opened}
      >
        <section aria-labelledby="history-heading" className="history">
          <h2 id="history-heading">Transactions</h2>
          <nav aria-label="Show transactions" className="filters-nav">
            {TRANSACTION_FILTERS.map((kind) => (
              <Link key={kind} href={href({ kind })} aria-current={kind === filter ? 'page' : undefined} className="chip">
                {FILTER_LABELS[kind]}
              </Link>
            ))}
          </nav>
          {history.entries.length === 0 ? (
            <p className="muted">
              {before ? 'No older transactions.' : filter === 'all' ? 'No transactions yet.' : `No ${FILTER_LABELS[filter].toLowerCase()} yet.`}
            </p>
          ) : (
            <TransactionList entries={history.entries} />
          )}
          <nav aria-label="Pages of transactions" className="pager">
            {before ? <Link href={href({ kind: filter })}>Newest</Link> : <span />}
            {history.olderBefore ? <Link href={href({ kind: filter, before: history.olderBefore })}>Older transactions</Link> : null}
          </nav>
        </section>
      </AccountActions>
    </>
  );
}
