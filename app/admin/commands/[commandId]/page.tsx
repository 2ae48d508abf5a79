import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { eventColumns as c, EventTable } from '@/app/admin/event-table';
import { JsonBlock } from '@/app/admin/json-block';
import { getCommand } from '@/lib/admin/log-queries';
import { requireAdmin } from '@/lib/admin/require-admin';
import { decodeSegment } from '@/lib/admin/route-param';
import { formatTime } from '@/app/components/format-time';

export const metadata: Metadata = { title: 'Command · Idem' };

export default async function CommandPage({ params }: { params: Promise<{ commandId: string }> }) {
  const raw = (await params).commandId;
  await requireAdmin();
  const commandId = decodeSegment(raw);
  const found = commandId !== null && commandId.length <= 255 ? await getCommand(commandId) : null;
  if (!found) notFound();
  const { command, events } = found;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/commands">Command log</Link>
      </p>
      <h1>
        {command.type} <code>{command.commandId}</code>
      </h1>
      <dl className="details">
        <dt>Status</dt>
        <dd data-testid="command-status">{command.status}</dd>
        <dt>Recorded</dt>
        <dd>
          <time dateTime={command.createdAt.toISOString()}>{formatTime(command.createdAt)}</time>
        </dd>
        <dt>Replays</dt>
        <dd data-testid="replay-count">
          {command.replayCount}
          {command.lastReplayedAt ? (
            <>
              {' '}
              (last <time dateTime={command.lastReplayedAt.toISOString()}>{formatTime(command.lastReplayedAt)}</time>)
            </>
          ) : null}
        </dd>
        <dt>Streams</dt>
        <dd>
          {command.streamIds.map((s, i) => (
            <span key={s}>
              {i > 0 ? ', ' : null}
              <Link href={`/admin/streams/${encodeURIComponent(s)}`}>{s}</Link>
            </span>
          ))}
        </dd>
        <dt>Fingerprint</dt>
        <dd>
          <code>{command.fingerprint}</code>
        </dd>
      </dl>
      <h2>Outcome</h2>
      <JsonBlock value={command.outcome} label="Stored outcome" />
      <h2>Events produced</h2>
      {events.length === 0 ? (
        <p className="muted">None{command.status === 'rejected' ? ': the command was rejected, and the rejection is what duplicates replay.' : '.'}</p>
      ) : (
        <EventTable events={events} columns={[c.position, c.stream, c.version, c.type]} rowTestId="produced-event" />
      )}
    </>
  );
}
