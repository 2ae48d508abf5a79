import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { formatTime } from '@/lib/format-time';
import { EVENT_TYPES, listEvents } from '@/lib/queries';

export const metadata: Metadata = { title: 'Event history · Idem' };

type SearchParams = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
const position = (value: string | undefined) => (value && /^\d{1,19}$/.test(value) ? BigInt(value) : undefined);

export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const params = await searchParams;
  const stream = one(params.stream)?.slice(0, 300);
  const typeParam = one(params.type);
  const type = EVENT_TYPES.find((t) => t === typeParam);
  const page = await listEvents({ stream, type, before: position(one(params.before)), after: position(one(params.after)) });

  const link = (cursor: { before?: bigint; after?: bigint }) => {
    const query = new URLSearchParams();
    if (stream) query.set('stream', stream);
    if (type) query.set('type', type);
    if (cursor.before !== undefined) query.set('before', String(cursor.before));
    if (cursor.after !== undefined) query.set('after', String(cursor.after));
    return `/admin/events?${query}`;
  };

  return (
    <>
      <h1>Event history</h1>
      <form method="get" className="filters" aria-label="Filter events">
        <div className="field">
          <label htmlFor="stream">Stream</label>
          <input id="stream" name="stream" defaultValue={stream} placeholder="account-…" />
        </div>
        <div className="field">
          <label htmlFor="type">Event type</label>
          <select id="type" name="type" defaultValue={type ?? ''}>
            <option value="">Any type</option>
            {EVENT_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
        {stream || type ? <Link href="/admin/events">Clear filters</Link> : null}
      </form>
      {typeParam && !type ? <p role="alert">Unknown event type “{typeParam}”; showing all types.</p> : null}
      {page.events.length === 0 ? (
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
            {page.events.map((e) => (
              <tr key={String(e.globalPosition)} data-testid="event-row">
                <td className="num">{String(e.globalPosition)}</td>
                <td>
                  <Link href={link({}).replace(/\?.*/, `?stream=${encodeURIComponent(e.streamId)}`)}>{e.streamId}</Link>
                </td>
                <td className="num">{e.version}</td>
                <td>{e.type}</td>
                <td>
                  <code>{JSON.stringify(e.data)}</code>
                </td>
                <td>
                  <code>{e.commandId}</code>
                </td>
                <td>
                  <time dateTime={e.createdAt.toISOString()}>{formatTime(e.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages" className="pager">
        {page.newerCursor !== undefined ? <Link href={link({ after: page.newerCursor })}>← Newer</Link> : <span />}
        {page.olderCursor !== undefined ? <Link href={link({ before: page.olderCursor })}>Older →</Link> : <span />}
      </nav>
    </>
  );
}
