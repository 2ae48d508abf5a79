import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { CopyButton } from '@/app/components/copy-button';
import { LocalTime } from '@/app/components/local-time';
import { historyHref } from '@/lib/accounts/history-update';
import {
  parseCursor,
  parseFilter,
  transactionPage,
  TRANSACTION_FILTERS,
  type TransactionFilter,
} from '@/lib/accounts/transaction-page';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { markSeen, seenVersion } from '@/lib/live/seen';
import { AccountActions, type OpenedNotice } from './account-actions';
import { OPENED_COOKIE } from './opened';
import { StatementsSection } from './statements-section';
import { AccountHero, accountMetadata, requireOwnedAccount } from './owned-account';
import { LiveAnnouncement, LiveUpdates } from './live-updates';
import { HistoryView } from './history-view';
import { StandingOrdersSection } from './standing-orders/standing-orders-section';

type SearchParams = Record<string, string | string[] | undefined>;
type Props = { params: Promise<{ accountId: string }>; searchParams: Promise<SearchParams> };

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const FILTER_LABELS: Record<TransactionFilter, string> = {
  all: 'All',
  deposits: 'Deposits',
  withdrawals: 'Withdrawals',
  transfers: 'Transfers',
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return accountMetadata(params, (owner) => `${owner} · Idem`);
}

export default async function AccountPage({ params, searchParams }: Props) {
  const { accountId } = await params;
  const { customer, account } = await requireOwnedAccount(accountId, `/accounts/${encodeURIComponent(accountId)}`);

  const query = await searchParams;
  const filter = parseFilter(one(query.kind));
  const before = parseCursor(one(query.before));
  // Incoming money after what the owner last saw is marked New on this view; the newest page of
  // everything (or of transfers) is what counts as having seen it.
  const seen = await seenVersion(customer.id, account.accountId);
  const history = await transactionPage(account, customer.id, { filter, before, seenVersion: seen });
  // Only incoming money is ever New, so the mark moves (a write) only when this view shows some, or
  // when older pages could hold some the mark has not passed yet.
  const oldestShown = history.entries.at(-1)?.version ?? 0;
  const unseenShown = history.entries.some((e) => e.unseen);
  const unseenOlder = history.olderBefore !== null && oldestShown > seen + 1;
  if (!before && (filter === 'all' || filter === 'transfers') && (unseenShown || unseenOlder))
    await markSeen(customer.id, account.accountId, account.version);
  const number = formatAccountNumber(account.accountNumber);

  // Just opened here (and nothing else happened since): say so, and point at the opening deposit.
  const justOpened = (await cookies()).get(OPENED_COOKIE)?.value === account.accountId && account.version <= 2;
  const opened: OpenedNotice | null = justOpened
    ? {
        message: `Opened “${account.owner}” with ${formatUsd(account.balanceCents)} · account number ${number}`,
        highlight: account.version === 2 ? 2 : null,
      }
    : null;

  return (
    <LiveUpdates accountId={account.accountId} version={account.version}>
      <p className="breadcrumb">
        <Link href="/">← Your accounts</Link>
      </p>
      <AccountHero
        account={account}
        heading={account.owner}
        number={
          <>
            <span data-testid="account-number">{number}</span>{' '}
            <CopyButton text={account.accountNumber} label="Copy account number" done="Account number copied" />
          </>
        }
      >
        <p className="hero-opened muted">
          Opened <LocalTime iso={account.openedAt.toISOString()} />
        </p>
      </AccountHero>
      <LiveAnnouncement />
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
              <Link
                key={kind}
                href={historyHref(account.accountId, { kind })}
                aria-current={kind === filter ? 'page' : undefined}
                className="chip"
              >
                {FILTER_LABELS[kind]}
              </Link>
            ))}
          </nav>
          <HistoryView
            accountId={account.accountId}
            filter={filter}
            before={before}
            entries={history.entries}
            olderBefore={history.olderBefore}
            empty={
              before
                ? 'No older transactions.'
                : filter === 'all'
                  ? 'No transactions yet.'
                  : `No ${FILTER_LABELS[filter].toLowerCase()} yet.`
            }
          />
        </section>
      </AccountActions>
      <StandingOrdersSection
        accountId={account.accountId}
        customerId={customer.id}
        notice={one(query['standing-order'])}
      />
      <StatementsSection accountId={account.accountId} version={account.version} />
    </LiveUpdates>
  );
}
