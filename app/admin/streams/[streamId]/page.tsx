import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { eventColumns as c, EventTable } from '@/app/admin/event-table';
import { statesAfterEachEvent } from '@/lib/admin/time-travel';
import { requireAdmin } from '@/lib/admin/require-admin';
import { decodeSegment } from '@/lib/admin/route-param';
import { db } from '@/lib/db/prisma';
import { formatUsd } from '@/lib/domain/money';
import { readStream } from '@/lib/event-store/load';

export const metadata: Metadata = { title: 'Stream · Idem' };

export default async function StreamPage({ params }: { params: Promise<{ streamId: string }> }) {
  const raw = (await params).streamId;
  await requireAdmin();
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
      <EventTable
        events={rows.map(({ event, state, error }) => ({ ...event, state, error }))}
        columns={[
          c.version,
          c.position,
          c.type,
          c.time,
          c.command,
          {
            header: 'State after',
            cell: ({ state, error }) => (state ? (state.status === 'open' ? `open, owner ${state.owner}` : 'no account') : <span className="field-error">{error}</span>),
          },
          { header: 'Balance after', numeric: true, testId: 'balance-after', cell: ({ state }) => (state?.status === 'open' ? formatUsd(state.balanceCents) : '—') },
        ]}
        rowTestId="stream-row"
        rowId={(e) => `v${e.version}`}
      />
    </>
  );
}
