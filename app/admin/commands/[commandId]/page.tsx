import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { JsonBlock } from '@/app/admin/json-block';
import { getCommand } from '@/lib/admin/log-queries';
import { requireAdmin } from '@/lib/admin/require-admin';
import { decodeSegment } from '@/lib/admin/route-param';
import { formatTime } from '@/app/components/format-time';

export const metadata: Metadata = { title: 'Command · Idem' };

export default async function CommandPage({ params }: { params: Promise<{ commandId: string }> }) {
  const raw = (await params).commandId;
  await requireAdmin(`/admin/commands/${raw}`);
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
        <table className="events">
          <thead>
            <tr>
              <th scope="col" className="num">Position</th>
              <th scope="col">Stream</th>
              <th scope="col" className="num">Version</th>
              <th scope="col">Type</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={String(e.globalPosition)} data-testid="produced-event">
                <td className="num">
                  <Link href={`/admin/events/${e.globalPosition}`}>{String(e.globalPosition)}</Link>
                </td>
                <td>
                  <Link href={`/admin/streams/${encodeURIComponent(e.streamId)}`}>{e.streamId}</Link>
                </td>
                <td className="num">{e.version}</td>
                <td>{e.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
