import 'server-only';
import type pg from 'pg';
import { DAILY_TOTALS } from '@/lib/projections/daily-totals';
import { lagOf } from '@/lib/projections/global-log';
import { readCheckpoint } from '@/lib/projections/runner';

// The ops dashboard's headline figures, read straight from the log and the inline projections (not
// from the asynchronous daily totals, whose lag is one of the figures). Money is integer cents, as
// bigint: sums over every account pass 2^53 cents long before any one balance does.

export type Movement = { count: number; cents: bigint };

export type DashboardFigures = {
  since: Date;
  totalBalanceCents: bigint;
  accounts: number;
  customers: number;
  disabledCustomers: number;
  /** Movements in the window; deposits include opening deposits, transfers count each transfer once. */
  deposits: Movement;
  withdrawals: Movement;
  transfers: Movement;
  commandsAccepted: number;
  commandsRejected: number;
  /** Duplicates answered from the command log instead of being applied again, ever. */
  duplicatesAbsorbed: number;
  /** Commands that were replayed at least once in the window. */
  commandsReplayedInWindow: number;
  projectionLag: number;
};

const WINDOW_MS = 24 * 60 * 60 * 1000;

const EVENT_OF = {
  deposits: 'MoneyDeposited',
  withdrawals: 'MoneyWithdrawn',
  transfers: 'MoneyTransferredOut',
} as const;

export async function dashboardFigures(client: pg.ClientBase, now = new Date()): Promise<DashboardFigures> {
  const since = new Date(now.getTime() - WINDOW_MS);
  const balances = await client.query<{ cents: string; accounts: number }>(
    `SELECT coalesce(sum(balance_cents), 0)::text AS cents, count(*)::int AS accounts FROM account_balances`,
  );
  // Role is better-auth's comma-separated list; a customer is anyone who is not an admin.
  const users = await client.query<{ customers: number; disabled: number }>(
    `SELECT count(*)::int AS customers, count(*) FILTER (WHERE banned IS TRUE)::int AS disabled
       FROM users WHERE NOT ('admin' = ANY(string_to_array(replace(coalesce(role, ''), ' ', ''), ',')))`,
  );
  const moved = await client.query<{ type: string; n: number; cents: string }>(
    `SELECT type, count(*)::int AS n, coalesce(sum((data->>'amountCents')::bigint), 0)::text AS cents
       FROM events WHERE created_at > $1 AND created_at <= $2 AND type = ANY($3) GROUP BY type`,
    [since, now, Object.values(EVENT_OF)],
  );
  const commands = await client.query<{ accepted: number; rejected: number }>(
    `SELECT count(*) FILTER (WHERE status = 'accepted')::int AS accepted, count(*) FILTER (WHERE status = 'rejected')::int AS rejected
       FROM commands WHERE created_at > $1 AND created_at <= $2`,
    [since, now],
  );
  const replays = await client.query<{ total: string; recent: number }>(
    `SELECT coalesce(sum(replay_count), 0)::text AS total, count(*) FILTER (WHERE last_replayed_at > $1)::int AS recent FROM command_replays`,
    [since],
  );
  const movement = (type: string): Movement => {
    const row = moved.rows.find((r) => r.type === type);
    return { count: row?.n ?? 0, cents: BigInt(row?.cents ?? 0) };
  };
  return {
    since,
    totalBalanceCents: BigInt(balances.rows[0]!.cents),
    accounts: balances.rows[0]!.accounts,
    customers: users.rows[0]!.customers,
    disabledCustomers: users.rows[0]!.disabled,
    deposits: movement(EVENT_OF.deposits),
    withdrawals: movement(EVENT_OF.withdrawals),
    transfers: movement(EVENT_OF.transfers),
    commandsAccepted: commands.rows[0]!.accepted,
    commandsRejected: commands.rows[0]!.rejected,
    duplicatesAbsorbed: Number(replays.rows[0]!.total),
    commandsReplayedInWindow: replays.rows[0]!.recent,
    projectionLag: await lagOf(client, await readCheckpoint(client, DAILY_TOTALS)),
  };
}

export type DayTotals = { day: string; deposits: Movement; withdrawals: Movement; transfers: Movement };

/**
 * The last `days` UTC calendar days up to `today`, every day present (zero when nothing happened),
 * from the asynchronous daily-totals projection: a chart axis with gaps would mislead.
 */
export async function dailySeries(client: pg.ClientBase, days = 14, today = new Date()): Promise<DayTotals[]> {
  const end = today.toISOString().slice(0, 10);
  const { rows } = await client.query<{
    day: string;
    dn: number;
    dc: string;
    wn: number;
    wc: string;
    tn: number;
    tc: string;
  }>(
    `SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
            coalesce(sum(t.deposit_count), 0)::int AS dn, coalesce(sum(t.deposits_cents), 0)::text AS dc,
            coalesce(sum(t.withdrawal_count), 0)::int AS wn, coalesce(sum(t.withdrawals_cents), 0)::text AS wc,
            -- a transfer counts once on each of its two accounts, in the same commit and so the same day
            (coalesce(sum(t.transfer_count), 0) / 2)::int AS tn, coalesce(sum(t.transfers_out_cents), 0)::text AS tc
       FROM generate_series($1::date - ($2::int - 1), $1::date, interval '1 day') AS d(day)
       LEFT JOIN daily_account_totals t ON t.day = d.day::date
      GROUP BY d.day ORDER BY d.day`,
    [end, days],
  );
  return rows.map((r) => ({
    day: r.day,
    deposits: { count: r.dn, cents: BigInt(r.dc) },
    withdrawals: { count: r.wn, cents: BigInt(r.wc) },
    transfers: { count: r.tn, cents: BigInt(r.tc) },
  }));
}
