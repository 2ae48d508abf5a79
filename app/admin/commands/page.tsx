import type { Metadata } from 'next';
import Link from 'next/link';
import { COMMAND_STATUSES, COMMAND_TYPES, decodeCursor, listCommands } from '@/lib/admin/log-queries';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';
import { formatTime } from '@/app/components/format-time';

export const metadata: Metadata = { title: 'Command log · Idem' };

export default async function CommandsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  await requireAdmin();
  const statusParam = queryParam(params.status);
  const typeParam = queryParam(params.type);
  const status = COMMAND_STATUSES.find((s) => s === statusParam);
  const type = COMMAND_TYPES.find((t) => t === typeParam);
  const page = await listCommands({ status, type, before: decodeCursor(queryParam(params.before)), after: decodeCursor(queryParam(params.after)) });

  const link = (cursor: { before?: string; after?: string }) => {
    const query = new URLSearchParams();
    if (status) query.set('status', status);
    if (type) query.set('type', type);
    if (cursor.before) query.set('before', cursor.before);
    if (cursor.after) query.set('after', cursor.after);
    return `/admin/commands?${query}`;
  };

  return (
    <>
      <h1>Command log</h1>
      <form method="get" className="filters" aria-label="Filter commands">
        <div className="field">
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={status ?? ''}>
            <option value="">Any status</option>
            {COMMAND_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="type">Command type</label>
          <select id="type" name="type" defaultValue={type ?? ''}>
            <option value="">Any type</option>
            {COMMAND_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit">Filter</button>
        </div>
        {status || type ? <Link href="/admin/commands">Clear filters</Link> : null}
      </form>
      {(statusParam && !status) || (typeParam && !type) ? (
        <p role="alert" className="status status-rejected">
          Unknown {statusParam && !status ? `status “${statusParam.slice(0, 40)}”` : `command type “${typeParam!.slice(0, 40)}”`}; that filter is not applied.
        </p>
      ) : null}
      {page.commands.length === 0 ? (
        <p className="muted">No commands match.</p>
      ) : (
        <table className="events">
          <thead>
            <tr>
              <th scope="col">Command id</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Streams</th>
              <th scope="col" className="num">Replays</th>
              <th scope="col">Recorded</th>
            </tr>
          </thead>
          <tbody>
            {page.commands.map((c) => (
              <tr key={c.commandId} data-testid="command-row">
                <td>
                  <Link href={`/admin/commands/${encodeURIComponent(c.commandId)}`}>
                    <code>{c.commandId}</code>
                  </Link>
                </td>
                <td>{c.type}</td>
                <td>{c.status}</td>
                <td>
                  {c.streamIds.map((s) => (
                    <div key={s}>
                      <Link href={`/admin/streams/${encodeURIComponent(s)}`}>{s}</Link>
                    </div>
                  ))}
                </td>
                <td className="num" data-testid="replay-count">
                  {c.replayCount}
                </td>
                <td>
                  <time dateTime={c.createdAt.toISOString()}>{formatTime(c.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages" className="pager">
        {page.newerCursor ? <Link href={link({ after: page.newerCursor })}>← Newer</Link> : <span />}
        {page.olderCursor ? <Link href={link({ before: page.olderCursor })}>Older →</Link> : <span />}
      </nav>
    </>
  );
}
