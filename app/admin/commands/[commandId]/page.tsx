import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CustomerCell, eventColumns as c, EventTable } from '@/app/admin/event-table';
import { CopyButton } from '@/app/admin/components/copy-button';
import { UtcTime } from '@/app/admin/components/utc-time';
import { JsonBlock } from '@/app/admin/json-block';
import { commandAmountCents, ownersOfStreams } from '@/lib/admin/account-owners';
import { getCommand } from '@/lib/admin/log-queries';
import { requireAdmin } from '@/lib/admin/require-admin';
import { decodeSegment } from '@/lib/admin/route-param';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';

export const metadata: Metadata = { title: 'Command · Idem' };

export default async function CommandPage({ params }: { params: Promise<{ commandId: string }> }) {
  const raw = (await params).commandId;
  await requireAdmin();
  const commandId = decodeSegment(raw);
  const found = commandId !== null && commandId.length <= 255 ? await getCommand(commandId) : null;
  if (!found) notFound();
  const { command, events } = found;
  const owners = await ownersOfStreams(command.streamIds);
  const amount = commandAmountCents(command.outcome);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/commands">Command log</Link>
      </p>
      <h1>
        {command.type} <code>{command.commandId}</code>
      </h1>
      <p>
        <CopyButton value={command.commandId} what="command id" />
      </p>
      <dl className="details">
        <dt>Status</dt>
        <dd data-testid="command-status">{command.status}</dd>
        <dt>Amount</dt>
        <dd>{amount === null ? '—' : formatUsd(amount)}</dd>
        <dt>Recorded</dt>
        <dd>
          <UtcTime date={command.createdAt} />
        </dd>
        <dt>Replays</dt>
        <dd data-testid="replay-count">
          {command.replayCount}
          {command.lastReplayedAt ? (
            <>
              {' '}
              (last <UtcTime date={command.lastReplayedAt} />)
            </>
          ) : null}
        </dd>
        {command.streamIds.map((s, i) => {
          const owner = owners.get(s) ?? null;
          return (
            <div key={s} className="contents">
              <dt>{command.streamIds.length > 1 ? (i === 0 ? 'From account' : 'To account') : 'Account'}</dt>
              <dd>
                <Link href={`/admin/streams/${encodeURIComponent(s)}`}>
                  {owner ? formatAccountNumber(owner.accountNumber) : s}
                </Link>
                {owner ? (
                  <>
                    {' · '}
                    <CustomerCell owner={owner} />
                  </>
                ) : null}
              </dd>
            </div>
          );
        })}
        <dt>Fingerprint</dt>
        <dd>
          <code>{command.fingerprint}</code>
        </dd>
      </dl>
      <h2>Outcome</h2>
      <JsonBlock value={command.outcome} label="Stored outcome" />
      <h2>Events produced</h2>
      {events.length === 0 ? (
        <p className="muted">
          None
          {command.status === 'rejected'
            ? ': the command was rejected, and the rejection is what duplicates replay.'
            : '.'}
        </p>
      ) : (
        <EventTable
          events={events.map((e) => ({ ...e, owner: owners.get(e.streamId) ?? null }))}
          columns={[c.position, c.account, c.version, c.type, c.amount]}
          rowTestId="produced-event"
          caption="Events this command produced"
        />
      )}
    </>
  );
}
