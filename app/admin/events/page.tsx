import type { Metadata } from 'next';
import Link from 'next/link';
import { EventFiltersForm } from '@/app/admin/events/event-filters-form';
import { eventColumns as c, EventTable } from '@/app/admin/event-table';
import { ResultCount } from '@/app/admin/components/result-count';
import { ownersOfStreams, streamsOf } from '@/lib/admin/account-owners';
import { parseEventFilter, TIME_HINT } from '@/lib/admin/event-filters';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';
import { EVENT_TYPES, listEvents, parsePosition } from '@/lib/admin/log-queries';

export const metadata: Metadata = { title: 'Event history · Idem' };

export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  await requireAdmin();
  const filters = parseEventFilter(params, EVENT_TYPES);
  const { account, ...filter } = filters.filter;
  const streams = account ? await streamsOf(account) : undefined;
  // A number or an email that names no account is a mistake to point at, not an empty page.
  const unknown = streams?.length === 0 && account?.by !== 'stream';
  const parsed = unknown
    ? {
        ...filters,
        errors: {
          ...filters.errors,
          stream:
            account?.by === 'number' ? 'No account has this number.' : 'No customer with this email has an account.',
        },
      }
    : filters;
  const invalid = Object.keys(parsed.errors).length > 0;
  const page = invalid
    ? null
    : await listEvents({
        ...filter,
        streams,
        before: parsePosition(queryParam(params.before)),
        after: parsePosition(queryParam(params.after)),
      });
  const owners = page ? await ownersOfStreams(page.events.map((e) => e.streamId)) : new Map();

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
      ) : (
        <ResultCount shown={page!.events.length} matching={page!.matching} noun="event" />
      )}
      {page && page.events.length > 0 ? (
        <EventTable
          events={page.events.map((e) => ({ ...e, owner: owners.get(e.streamId) ?? null }))}
          columns={[
            c.namedPosition,
            c.time,
            c.type,
            c.amount,
            c.account,
            c.customer,
            { ...c.command, header: 'Command id' },
            c.data,
          ]}
          rowTestId="event-row"
          caption="Events, newest first"
        />
      ) : null}
      {page ? (
        <nav aria-label="Pages" className="pager">
          {page.newerCursor !== undefined ? <Link href={link({ after: page.newerCursor })}>← Newer</Link> : <span />}
          {page.olderCursor !== undefined ? <Link href={link({ before: page.olderCursor })}>Older →</Link> : <span />}
        </nav>
      ) : null}
    </>
  );
}
