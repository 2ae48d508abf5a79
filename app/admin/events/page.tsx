import type { Metadata } from 'next';
import Link from 'next/link';
import { EventFiltersForm } from '@/app/admin/events/event-filters-form';
import { parseEventFilter, TIME_HINT } from '@/lib/admin/event-filters';
import { pathWithQuery, requireAdmin } from '@/lib/admin/require-admin';
import { formatTime } from '@/app/components/format-time';
import { EVENT_TYPES, listEvents, parsePosition } from '@/lib/admin/log-queries';

export const metadata: Metadata = { title: 'Event history · Idem' };

type SearchParams = Record<string, string | string[] | undefined>;
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  await requireAdmin(pathWithQuery('/admin/events', params));
  const parsed = parseEventFilter(params, EVENT_TYPES);
  const invalid = Object.keys(parsed.errors).length > 0;
  const page = invalid ? null : await listEvents({ ...parsed.filter, before: parsePosition(one(params.before)), after: parsePosition(one(params.after)) });

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
        <table className="events">
          <thead>
            <tr>
              <th scope="col" className="num">Position</th>
              <th scope="col">Stream</th>
              <th scope="col" className="num">Version</th>
              <th scope="col">Type</th>
              <th scope="col">Data</th>
              <th scope="col">Command id</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {page!.events.map((e) => (
              <tr key={String(e.globalPosition)} data-testid="event-row">
                <td className="num">
                  <Link href={`/admin/events/${e.globalPosition}`} aria-label={`Event ${e.globalPosition}`}>
                    {String(e.globalPosition)}
                  </Link>
                </td>
                <td>
                  <Link href={`/admin/streams/${encodeURIComponent(e.streamId)}`}>{e.streamId}</Link>
                </td>
                <td className="num">{e.version}</td>
                <td>{e.type}</td>
                <td>
                  <code>{JSON.stringify(e.data)}</code>
                </td>
                <td>
                  <Link href={`/admin/commands/${encodeURIComponent(e.commandId)}`}>
                    <code>{e.commandId}</code>
                  </Link>
                </td>
                <td>
                  <time dateTime={e.createdAt.toISOString()}>{formatTime(e.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
