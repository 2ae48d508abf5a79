'use client';

import Link from 'next/link';
import { use, useState } from 'react';
import { LocalTime, viewerTimeZone } from '@/app/components/local-time';
import { dayKey, dayLabel, utcDayLabel } from '@/app/components/local-dates';
import { useHydrated } from '@/app/components/use-command-form';
import type { TransactionEntry } from '@/lib/accounts/transaction-page';
import { formatUsd } from '@/lib/domain/money';
import { HighlightContext } from './account-actions';
import { LiveArrivalsContext } from './live-updates';

/**
 * The account's history, grouped by day. Days are the viewer's: the server does not know their time
 * zone, so the page is rendered (and, without JavaScript, stays) in UTC, and regrouped in the
 * browser's zone after hydration. Money in and out is told by sign and words, not by colour alone.
 */
export function TransactionList({ entries }: { entries: TransactionEntry[] }) {
  const hydrated = useHydrated();
  const highlight = use(HighlightContext);
  const arrivals = use(LiveArrivalsContext);
  // Rows shown as unseen stay New for the life of this page, though the page's next render (a live
  // update, the reconnection's refresh) has recorded them seen.
  const [marked, setMarked] = useState<ReadonlySet<number>>(
    () => new Set(entries.filter((e) => e.unseen).map((e) => e.version)),
  );
  const newlyUnseen = entries.filter((e) => e.unseen && !marked.has(e.version));
  if (newlyUnseen.length > 0) setMarked(new Set([...marked, ...newlyUnseen.map((e) => e.version)]));
  const isNew = (entry: TransactionEntry) =>
    entry.version === highlight || entry.unseen || marked.has(entry.version) || arrivals.has(entry.version);
  const zone = hydrated ? viewerTimeZone() : 'UTC';
  const now = new Date();
  const days: { key: string; label: string; entries: TransactionEntry[] }[] = [];
  for (const entry of entries) {
    const date = new Date(entry.occurredAt);
    const key = dayKey(date, zone);
    if (days.at(-1)?.key !== key)
      days.push({ key, label: hydrated ? dayLabel(date, now, zone) : utcDayLabel(date), entries: [] });
    days.at(-1)!.entries.push(entry);
  }

  return (
    <div className="history-days">
      {days.map((day) => (
        <section key={day.key} aria-labelledby={`day-${day.key}`}>
          <h3 id={`day-${day.key}`} className="day-heading">
            {day.label}
          </h3>
          <ul className="transactions">
            {day.entries.map((entry) => (
              <Row key={entry.version} entry={entry} isNew={isNew(entry)} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function Row({ entry, isNew }: { entry: TransactionEntry; isNew: boolean }) {
  const incoming = entry.kind === 'deposit' || entry.kind === 'transfer-in';
  return (
    <li
      className={isNew ? 'transaction is-new' : 'transaction'}
      data-testid="transaction"
      data-new={isNew || undefined}
      data-unseen={(isNew && entry.kind === 'transfer-in') || undefined}
    >
      <div className="transaction-what">
        <span className="transaction-title">
          <Title entry={entry} />
        </span>
        {entry.reference ? (
          <span className="transaction-reference" data-testid="transaction-reference">
            <span className="visually-hidden">Reference: </span>
            {entry.reference}
          </span>
        ) : null}
        <span className="transaction-meta">
          <LocalTime iso={entry.occurredAt} clockOnly />
          {isNew ? <span className="new-mark">New</span> : null}
        </span>
      </div>
      <div className="transaction-amounts">
        <span className={incoming ? 'money money-in' : 'money money-out'}>
          <span className="visually-hidden">{incoming ? 'in ' : 'out '}</span>
          {incoming ? '+' : '−'}
          {formatUsd(entry.amountCents)}
        </span>
        <span className="transaction-balance">Balance {formatUsd(entry.balanceAfterCents)}</span>
      </div>
    </li>
  );
}

function Title({ entry }: { entry: TransactionEntry }) {
  switch (entry.kind) {
    case 'deposit':
      return <>{entry.opening ? 'Opening deposit' : 'Deposit'}</>;
    case 'withdrawal':
      return <>Withdrawal</>;
    case 'transfer-out':
    case 'transfer-in': {
      const label = entry.kind === 'transfer-out' ? 'Transfer to' : 'Transfer from';
      const other = entry.counterparty;
      return (
        <>
          {label}{' '}
          {other?.ownAccountId ? (
            <Link href={`/accounts/${other.ownAccountId}`}>{other.name}</Link>
          ) : (
            (other?.name ?? 'another account')
          )}
        </>
      );
    }
  }
}
