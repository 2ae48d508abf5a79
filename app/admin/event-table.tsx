import Link from 'next/link';
import type { ReactNode } from 'react';
import { ShortId } from '@/app/admin/components/short-id';
import { UtcTime } from '@/app/admin/components/utc-time';
import { JsonDetails } from '@/app/admin/json-block';
import { eventAmountCents, type AccountOwner } from '@/lib/admin/account-owners';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { EmailAddress } from '@/app/components/email-address';

// The admin console's table of events (event history, a stream, a command's events): one markup,
// each page choosing its columns and their order, and adding its own. On phones every row becomes
// a card whose cells are labelled by their column (admin.css, table.stack).

/** What every event row has, whichever query read it; `owner` when the page looked it up. */
export type EventRow = {
  globalPosition: bigint;
  streamId: string;
  version: number;
  type: string;
  data?: unknown;
  commandId: string;
  createdAt: Date;
  owner?: AccountOwner | null;
};

export type EventColumn<E> = { header: string; numeric?: boolean; testId?: string; cell: (event: E) => ReactNode };

const streamHref = (streamId: string, version?: number) =>
  `/admin/streams/${encodeURIComponent(streamId)}${version === undefined ? '' : `?version=${version}`}`;

const positionLink = (e: EventRow, label?: string) => (
  <Link href={`/admin/events/${e.globalPosition}`} aria-label={label}>
    {String(e.globalPosition)}
  </Link>
);

/** The customer behind an account: name, email, and where to find them. */
export function CustomerCell({ owner }: { owner: AccountOwner | null | undefined }) {
  if (!owner) return <span className="muted">—</span>;
  if (!owner.customer) return <span className="muted">no customer ({owner.owner})</span>;
  return (
    <>
      <Link href={`/admin/customers?q=${encodeURIComponent(owner.customer.email)}`}>{owner.customer.name}</Link>
      <br />
      <EmailAddress className="muted" email={owner.customer.email} />
      {owner.customer.disabled ? (
        <>
          {' '}
          <span className="badge badge-disabled">disabled</span>
        </>
      ) : null}
    </>
  );
}

export const eventColumns = {
  position: { header: 'Position', numeric: true, cell: (e) => positionLink(e) },
  /** The position link named "Event <n>", for rows whose other links are numbers too. */
  namedPosition: { header: 'Position', numeric: true, cell: (e) => positionLink(e, `Event ${e.globalPosition}`) },
  stream: { header: 'Stream', cell: (e) => <Link href={streamHref(e.streamId)}>{e.streamId}</Link> },
  /** The account number (to the stream at this event's version), or the stream id for other streams. */
  account: {
    header: 'Account',
    cell: (e) =>
      e.owner ? (
        <Link href={streamHref(e.streamId, e.version)} className="account-number">
          {formatAccountNumber(e.owner.accountNumber)}
        </Link>
      ) : (
        <Link href={streamHref(e.streamId, e.version)}>{e.streamId}</Link>
      ),
  },
  version: { header: 'Version', numeric: true, cell: (e) => e.version },
  type: { header: 'Type', cell: (e) => e.type },
  amount: {
    header: 'Amount',
    numeric: true,
    testId: 'event-amount',
    cell: (e) => {
      const cents = eventAmountCents(e.data);
      return cents === null ? <span className="muted">—</span> : formatUsd(cents);
    },
  },
  customer: { header: 'Customer', cell: (e) => <CustomerCell owner={e.owner} /> },
  data: {
    header: 'Data',
    cell: (e) => <JsonDetails value={e.data} summary="JSON" label={`Data of event ${e.globalPosition}`} />,
  },
  command: {
    header: 'Command',
    cell: (e) => (
      <ShortId id={e.commandId} href={`/admin/commands/${encodeURIComponent(e.commandId)}`} what="command id" />
    ),
  },
  time: { header: 'Time (UTC)', cell: (e) => <UtcTime date={e.createdAt} /> },
} satisfies Record<string, EventColumn<EventRow>>;

export function EventTable<E extends EventRow>({
  events,
  columns,
  rowTestId,
  rowId,
  rowClass,
  caption,
}: {
  events: E[];
  columns: EventColumn<E>[];
  rowTestId: string;
  rowId?: (event: E) => string;
  rowClass?: (event: E) => string | undefined;
  caption?: string;
}) {
  const numeric = (column: EventColumn<E>) => (column.numeric ? 'num' : undefined);
  return (
    <table className="events stack">
      {caption ? <caption className="visually-hidden">{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.header} scope="col" className={numeric(column)}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={String(e.globalPosition)} id={rowId?.(e)} data-testid={rowTestId} className={rowClass?.(e)}>
            {columns.map((column) => (
              <td
                key={column.header}
                className={numeric(column)}
                data-testid={column.testId}
                data-label={column.header}
              >
                {column.cell(e)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
