import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CustomerCell } from '@/app/admin/event-table';
import { CopyButton } from '@/app/admin/components/copy-button';
import { UtcTime } from '@/app/admin/components/utc-time';
import { JsonBlock } from '@/app/admin/json-block';
import { eventAmountCents, ownersOfStreams } from '@/lib/admin/account-owners';
import { getEvent, parsePosition } from '@/lib/admin/log-queries';
import { requireAdmin } from '@/lib/admin/require-admin';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { eventMetadataOf, storedMetadataFrom } from '@/lib/event-store';

export const metadata: Metadata = { title: 'Event · Idem' };

const text = (value: unknown) => (value === undefined || value === null ? '—' : String(value));

export default async function EventPage({ params }: { params: Promise<{ position: string }> }) {
  const { position } = await params;
  await requireAdmin();
  const globalPosition = parsePosition(position);
  const event = globalPosition === undefined ? null : await getEvent(globalPosition);
  if (!event) notFound();
  const metadata = eventMetadataOf(storedMetadataFrom(event), event.commandId, event.command.type);
  const streamHref = `/admin/streams/${encodeURIComponent(event.streamId)}`;
  const owner = (await ownersOfStreams([event.streamId])).get(event.streamId) ?? null;
  const amount = eventAmountCents(event.data);

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
          <Link href={streamHref}>{event.streamId}</Link> (version {event.version};{' '}
          <Link href={`${streamHref}?version=${event.version}#v${event.version}`}>state after this event</Link>)
        </dd>
        <dt>Account</dt>
        <dd>{owner ? formatAccountNumber(owner.accountNumber) : '—'}</dd>
        <dt>Customer</dt>
        <dd>
          <CustomerCell owner={owner} />
        </dd>
        <dt>Amount</dt>
        <dd>{amount === null ? '—' : formatUsd(amount)}</dd>
        <dt>Recorded</dt>
        <dd>
          <UtcTime date={event.createdAt} />
        </dd>
        <dt>Command</dt>
        <dd>
          <Link href={`/admin/commands/${encodeURIComponent(event.commandId)}`}>
            <code>{event.commandId}</code>
          </Link>{' '}
          <CopyButton value={event.commandId} what="command id" /> ({event.command.type}, {event.command.status})
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
      <JsonBlock value={metadata} label="Event metadata" />
    </>
  );
}
