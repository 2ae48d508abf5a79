// Asynchronous projection: money in and out per account and UTC day, fed from the global log.
// It is written in the same transaction as its checkpoint, so each event counts exactly once.
import type pg from 'pg';
import { upcastRow } from '@/lib/accounts/domain/upcast';
import type { LogEvent } from './global-log';

export const DAILY_TOTALS = 'daily-totals';

type Totals = {
  day: string;
  accountId: string;
  depositsCents: number;
  depositCount: number;
  withdrawalsCents: number;
  withdrawalCount: number;
  transfersInCents: number;
  transfersOutCents: number;
  transferCount: number;
};

const zero = (day: string, accountId: string): Totals => ({
  day,
  accountId,
  depositsCents: 0,
  depositCount: 0,
  withdrawalsCents: 0,
  withdrawalCount: 0,
  transfersInCents: 0,
  transfersOutCents: 0,
  transferCount: 0,
});

/** Pure: the increments a batch of events adds, per (day, account). */
export function totalsOf(events: LogEvent[]): Totals[] {
  const byKey = new Map<string, Totals>();
  // The global log holds every aggregate's events (standing orders too): only accounts move money.
  const accountEvents = events.filter((e) => e.streamId.startsWith('account-'));
  for (const stored of accountEvents) {
    const event = upcastRow({ ...stored, createdAt: new Date(stored.createdAt) });
    if (event.type === 'AccountOpened') continue;
    const day = stored.createdAt.toISOString().slice(0, 10);
    const key = `${day}|${event.data.accountId}`;
    const t = byKey.get(key) ?? zero(day, event.data.accountId);
    byKey.set(key, t);
    switch (event.type) {
      case 'MoneyDeposited':
        t.depositsCents += event.data.amountCents;
        t.depositCount += 1;
        break;
      case 'MoneyWithdrawn':
        t.withdrawalsCents += event.data.amountCents;
        t.withdrawalCount += 1;
        break;
      case 'MoneyTransferredIn':
        t.transfersInCents += event.data.amountCents;
        t.transferCount += 1;
        break;
      case 'MoneyTransferredOut':
        t.transfersOutCents += event.data.amountCents;
        t.transferCount += 1;
        break;
    }
  }
  return [...byKey.values()].sort((a, b) => (a.day + a.accountId < b.day + b.accountId ? -1 : 1));
}

export async function applyDailyTotals(
  client: pg.ClientBase,
  events: LogEvent[],
  table = 'daily_account_totals',
): Promise<void> {
  const rows = totalsOf(events);
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${table} AS d (day, account_id, deposits_cents, deposit_count, withdrawals_cents, withdrawal_count,
                                 transfers_in_cents, transfers_out_cents, transfer_count)
     SELECT day, "accountId", "depositsCents", "depositCount", "withdrawalsCents", "withdrawalCount",
            "transfersInCents", "transfersOutCents", "transferCount"
       FROM jsonb_to_recordset($1::jsonb) AS t(day date, "accountId" uuid, "depositsCents" bigint, "depositCount" int,
            "withdrawalsCents" bigint, "withdrawalCount" int, "transfersInCents" bigint, "transfersOutCents" bigint, "transferCount" int)
     ON CONFLICT (day, account_id) DO UPDATE SET
       deposits_cents = d.deposits_cents + EXCLUDED.deposits_cents,
       deposit_count = d.deposit_count + EXCLUDED.deposit_count,
       withdrawals_cents = d.withdrawals_cents + EXCLUDED.withdrawals_cents,
       withdrawal_count = d.withdrawal_count + EXCLUDED.withdrawal_count,
       transfers_in_cents = d.transfers_in_cents + EXCLUDED.transfers_in_cents,
       transfers_out_cents = d.transfers_out_cents + EXCLUDED.transfers_out_cents,
       transfer_count = d.transfer_count + EXCLUDED.transfer_count`,
    [JSON.stringify(rows)],
  );
}
