'use client';

import Link from 'next/link';
import { use } from 'react';
import { historyHref, withUpdates, type TransactionEntry, type TransactionFilter } from '@/lib/accounts/history-update';
import { AccountUpdatesContext } from './live-updates';
import { TransactionList } from './transaction-list';

/**
 * One page of the account's history as rendered by the server, with what the page's own deposits
 * and withdrawals added since on top (LiveUpdates), and the links to the newest and older pages.
 */
export function HistoryView({
  accountId,
  filter,
  before,
  entries,
  olderBefore,
  empty,
}: {
  accountId: string;
  filter: TransactionFilter;
  before: number | null;
  entries: TransactionEntry[];
  olderBefore: number | null;
  /** What an empty page says. */
  empty: string;
}) {
  const { updates } = use(AccountUpdatesContext);
  const page = withUpdates({ entries, olderBefore }, updates, { filter, before });
  return (
    <>
      {page.entries.length === 0 ? <p className="muted">{empty}</p> : <TransactionList entries={page.entries} />}
      <nav aria-label="Pages of transactions" className="pager">
        {before ? <Link href={historyHref(accountId, { kind: filter })}>Newest</Link> : <span />}
        {page.olderBefore ? (
          <Link href={historyHref(accountId, { kind: filter, before: page.olderBefore })}>Older transactions</Link>
        ) : null}
      </nav>
    </>
  );
}
