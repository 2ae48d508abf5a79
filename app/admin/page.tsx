import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { DailyTotals } from '@/app/admin/daily-totals';
import { UtcTime } from '@/app/admin/components/utc-time';
import { dashboardFigures, type Movement } from '@/lib/admin/dashboard';
import { requireAdmin } from '@/lib/admin/require-admin';
import { withPgClient } from '@/lib/db/pg-client';
import { busyAnswersHere } from '@/lib/observability/busy-answers';
import { formatUsd } from '@/lib/domain/money';
import { webhookBacklog } from '@/lib/webhooks';

export const metadata: Metadata = { title: 'Dashboard · Idem' };

const count = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

function Figure({ id, title, value, children }: { id: string; title: string; value: string; children?: ReactNode }) {
  return (
    <li className="figure" data-testid={`figure-${id}`}>
      <h2>{title}</h2>
      <p className="figure-value" data-testid={`figure-${id}-value`}>
        {value}
      </p>
      {children ? <p className="figure-detail">{children}</p> : null}
    </li>
  );
}

const movement = (m: Movement, noun: string) => <span data-testid="figure-count">{count(m.count, noun)}</span>;

export default async function AdminDashboard() {
  await requireAdmin();
  const f = await withPgClient((c) => dashboardFigures(c));
  const busy = await busyAnswersHere();
  const webhooks = await webhookBacklog();
  return (
    <>
      <h1>Dashboard</h1>
      <p className="muted">
        The last 24 hours, from <UtcTime date={f.since} /> to now.
      </p>
      <ul className="figures" aria-label="Headline figures">
        <Figure id="total-balance" title="Total balances" value={formatUsd(f.totalBalanceCents)}>
          {count(f.accounts, 'account')} of {count(f.customers, 'customer')}
          {f.disabledCustomers > 0 ? ` (${f.disabledCustomers} disabled)` : ''}
        </Figure>
        <Figure id="deposits" title="Deposits, 24 h" value={formatUsd(f.deposits.cents)}>
          {movement(f.deposits, 'deposit')}, opening deposits included
        </Figure>
        <Figure id="withdrawals" title="Withdrawals, 24 h" value={formatUsd(f.withdrawals.cents)}>
          {movement(f.withdrawals, 'withdrawal')}
        </Figure>
        <Figure id="transfers" title="Transfers, 24 h" value={formatUsd(f.transfers.cents)}>
          {movement(f.transfers, 'transfer')}
        </Figure>
        <Figure id="rejections" title="Rejections, 24 h" value={f.commandsRejected.toLocaleString('en-US')}>
          of {count(f.commandsAccepted + f.commandsRejected, 'command')} recorded (insufficient funds, not the owner …)
        </Figure>
        <Figure id="duplicates" title="Duplicates absorbed" value={f.duplicatesAbsorbed.toLocaleString('en-US')}>
          repeated requests answered from the command log, never applied twice (all time;{' '}
          {count(f.commandsReplayedInWindow, 'command')} repeated in 24 h)
        </Figure>
        <Figure id="busy" title="Busy answers" value={busy.toLocaleString('en-US')}>
          this instance since it started: “try again” after every retry, written nowhere (<code>/api/metrics</code> per
          instance)
        </Figure>
        <Figure id="projection-lag" title="Projection lag" value={count(f.projectionLag, 'event')}>
          not yet in the daily totals (<Link href="/admin/projections">projection status</Link>)
        </Figure>
        <Figure
          id="webhook-backlog"
          title="Webhook backlog"
          value={`${webhooks.pending.toLocaleString('en-US')} pending`}
        >
          deliveries, the oldest event {Math.round(webhooks.oldestSeconds).toLocaleString('en-US')} s old;{' '}
          {count(webhooks.failed, 'dead letter')}; {count(webhooks.disabledEndpoints, 'endpoint')} disabled
        </Figure>
      </ul>
      <p>
        The logs: <Link href="/admin/events">Event history</Link> · <Link href="/admin/commands">Command log</Link>
      </p>
      <section aria-labelledby="daily-totals">
        <h2 id="daily-totals">Daily totals</h2>
        <DailyTotals />
      </section>
    </>
  );
}
