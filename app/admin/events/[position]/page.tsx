import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { JsonBlock } from '@/app/admin/json-block';
import { getEvent, parsePosition } from '@/lib/admin/log-queries';
import { requireAdmin } from '@/lib/admin/require-admin';
import { formatTime } from '@/app/components/format-time';

export const metadata: Metadata = { title: 'Event · Idem' };

type EventMeta = { causationId?: unknown; correlationId?: unknown; commandType?: unknown; schemaVersion?: unknown };
const text = (value: unknown) => (value === undefined || value === null ? '—' : String(value));

export default async function EventPage({ params }: { params: Promise<{ position: string }> }) {
  const { position } = await params;
  await requireAdmin();
  const globalPosition = parsePosition(position);
  const event = globalPosition === undefined ? null : await getEvent(globalPosition);
  if (!event) notFound();
  const metadata = (event.metadata ?? {}) as EventMeta;
  const streamHref = `/admin/streams/${encodeURIComponent(event.streamId)}`;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/events">Event history</Link>
      </p>
      <h1>
        Event {String(event.globalPosition)}: {event.type}
      </h1>
      <dl className="details">
        <dt>Stream</dt>
        <dd>
          <Link href={streamHref}>{event.streamId}</Link> (version {event.version}; <Link href={`${streamHref}#v${event.version}`}>state after this event</Link>)
        </dd>
        <dt>Recorded</dt>
        <dd>
          <time dateTime={event.createdAt.toISOString()}>{formatTime(event.createdAt)}</time>
        </dd>
        <dt>Command</dt>
        <dd>
          <Link href={`/admin/commands/${encodeURIComponent(event.commandId)}`}>
            <code>{event.commandId}</code>
          </Link>{' '}
          ({event.command.type}, {event.command.status})
        </dd>
        <dt>Causation id</dt>
        <dd>
          <code>{text(metadata.causationId)}</code>
        </dd>
        <dt>Correlation id</dt>
        <dd>
          <code>{text(metadata.correlationId)}</code>
        </dd>
        <dt>Schema version</dt>
        <dd>{text(metadata.schemaVersion)}</dd>
      </dl>
      <h2>Data</h2>
      <JsonBlock value={event.data} label="Event data" />
      <h2>Metadata</h2>
      <JsonBlock value={event.metadata} label="Event metadata" />
    </>
  );
}
