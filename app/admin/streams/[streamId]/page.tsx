import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { statesAfterEachEvent } from '@/lib/admin/time-travel';
import { requireAdmin } from '@/lib/admin/require-admin';
import { decodeSegment } from '@/lib/admin/route-param';
import { db } from '@/lib/db/prisma';
import { formatUsd } from '@/lib/domain/money';
import { readStream } from '@/lib/event-store/load';
import { formatTime } from '@/app/components/format-time';

export const metadata: Metadata = { title: 'Stream · Idem' };

export default async function StreamPage({ params }: { params: Promise<{ streamId: string }> }) {
  const raw = (await params).streamId;
  await requireAdmin(`/admin/streams/${raw}`);
  const streamId = decodeSegment(raw);
  const events = streamId !== null && streamId.length <= 300 ? await readStream(db(), streamId) : [];
  if (streamId === null || events.length === 0) notFound();
  const rows = statesAfterEachEvent(streamId, events);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/streams">Streams</Link> · <Link href={`/admin/events?stream=${encodeURIComponent(streamId)}`}>in the event history</Link>
      </p>
      <h1>Stream {streamId}</h1>
      <p className="muted">Every event of the stream, oldest first, with the aggregate’s state after it (the decider’s own evolve, replayed).</p>
      <table className="events">
        <thead>
          <tr>
            <th scope="col" className="num">Version</th>
            <th scope="col" className="num">Position</th>
            <th scope="col">Type</th>
            <th scope="col">Time</th>
            <th scope="col">Command</th>
            <th scope="col">State after</th>
            <th scope="col" className="num">Balance after</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ event: e, state, error }) => (
            <tr key={e.version} id={`v${e.version}`} data-testid="stream-row">
              <td className="num">{e.version}</td>
              <td className="num">
                <Link href={`/admin/events/${e.globalPosition}`}>{String(e.globalPosition)}</Link>
              </td>
              <td>{e.type}</td>
              <td>
                <time dateTime={e.createdAt.toISOString()}>{formatTime(e.createdAt)}</time>
              </td>
              <td>
                <Link href={`/admin/commands/${encodeURIComponent(e.commandId)}`}>
                  <code>{e.commandId}</code>
                </Link>
              </td>
              <td>{state ? (state.status === 'open' ? `open, owner ${state.owner}` : 'no account') : <span className="field-error">{error}</span>}</td>
              <td className="num" data-testid="balance-after">
                {state?.status === 'open' ? formatUsd(state.balanceCents) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
