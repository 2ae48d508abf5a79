import type { Metadata } from 'next';
import Link from 'next/link';
import { EventFiltersForm } from '@/app/admin/events/event-filters-form';
import { eventColumns as c, EventTable } from '@/app/admin/event-table';
import { parseEventFilter, TIME_HINT } from '@/lib/admin/event-filters';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';
import { EVENT_TYPES, listEvents, parsePosition } from '@/lib/admin/log-queries';

export const metadata: Metadata = { title: 'Event history · Idem' };

export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  await requireAdmin();
  const parsed = parseEventFilter(params, EVENT_TYPES);
  const invalid = Object.keys(parsed.errors).length > 0;
  const page = invalid ? null : await listEvents({ ...parsed.filter, before: parsePosition(queryParam(params.before)), after: parsePosition(queryParam(params.after)) });

  const link = (cursor: { before?: bigint; after?: bigint }) => {
    const query = new URLSearchParams(Object.entries(parsed.values).filter(([, v]) => v));
    if (cursor.before !== undefined) query.set('before', String(cursor.before));
    if (cursor.after !== undefined) query.set('after', String(cursor.after));
    return `/admin/events?${query}`;
  };

  return (
    <>
      <h1>Event history</h1>
      <EventFiltersForm parsed={parsed} types={EVENT_TYPES} />
      {invalid ? (
        <p role="alert" className="status status-rejected">
          Correct the highlighted filters to see events. Times are {TIME_HINT}.
        </p>
      ) : page!.events.length === 0 ? (
        <p className="muted">No events match.</p>
      ) : (
        <EventTable
          events={page!.events}
          columns={[c.namedPosition, c.stream, c.version, c.type, c.data, { ...c.command, header: 'Command id' }, c.time]}
          rowTestId="event-row"
        />
      )}
      {page ? (
        <nav aria-label="Pages" className="pager">
          {page.newerCursor !== undefined ? <Link href={link({ after: page.newerCursor })}>← Newer</Link> : <span />}
          {page.olderCursor !== undefined ? <Link href={link({ before: page.olderCursor })}>Older →</Link> : <span />}
        </nav>
      ) : null}
    </>
  );
}
