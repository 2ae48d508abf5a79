import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatTime } from '@/app/components/format-time';

// The admin console's table of events (event history, a stream, a command's events): one markup,
// each page choosing its columns and their order, and adding its own.

/** What every event row has, whichever query read it. */
export type EventRow = { globalPosition: bigint; streamId: string; version: number; type: string; data?: unknown; commandId: string; createdAt: Date };

export type EventColumn<E> = { header: string; numeric?: boolean; testId?: string; cell: (event: E) => ReactNode };

const positionLink = (e: EventRow, label?: string) => (
  <Link href={`/admin/events/${e.globalPosition}`} aria-label={label}>
    {String(e.globalPosition)}
  </Link>
);

export const eventColumns = {
  position: { header: 'Position', numeric: true, cell: (e) => positionLink(e) },
  /** The position link named "Event <n>", for rows whose other links are numbers too. */
  namedPosition: { header: 'Position', numeric: true, cell: (e) => positionLink(e, `Event ${e.globalPosition}`) },
  stream: { header: 'Stream', cell: (e) => <Link href={`/admin/streams/${encodeURIComponent(e.streamId)}`}>{e.streamId}</Link> },
  version: { header: 'Version', numeric: true, cell: (e) => e.version },
  type: { header: 'Type', cell: (e) => e.type },
  data: {
    header: 'Data',
    cell: (e) => <code>{JSON.stringify(e.data)}</code>,
  },
  command: {
    header: 'Command',
    cell: (e) => (
      <Link href={`/admin/commands/${encodeURIComponent(e.commandId)}`}>
        <code>{e.commandId}</code>
      </Link>
    ),
  },
  time: { header: 'Time', cell: (e) => <time dateTime={e.createdAt.toISOString()}>{formatTime(e.createdAt)}</time> },
} satisfies Record<string, EventColumn<EventRow>>;

export function EventTable<E extends EventRow>({ events, columns, rowTestId, rowId }: { events: E[]; columns: EventColumn<E>[]; rowTestId: string; rowId?: (event: E) => string }) {
  const numeric = (column: EventColumn<E>) => (column.numeric ? 'num' : undefined);
  return (
    <table className="events">
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
          <tr key={String(e.globalPosition)} id={rowId?.(e)} data-testid={rowTestId}>
            {columns.map((column) => (
              <td key={column.header} className={numeric(column)} data-testid={column.testId}>
                {column.cell(e)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
