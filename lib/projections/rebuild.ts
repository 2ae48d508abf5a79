// Rebuild and verify read models from the events, the source of truth.
//
// Rebuild computes the projection afresh from the log while the app keeps serving, then swaps the
// result in atomically: one transaction replaces the table's contents. Readers are never blocked
// (they see the old rows until the commit); writers of an inline projection wait only for the swap,
// and events committed while the replay ran are caught up inside it, so nothing is missed.
import type pg from 'pg';
import { evolve, initialState, type Account } from '@/lib/accounts/domain/account';
import { upcastRow } from '@/lib/accounts/domain/upcast';
import { projectAccount, type BalanceRow, type TransactionRow } from '@/lib/accounts/inline-projections';
import { DAILY_TOTALS, totalsOf } from './daily-totals';
import { streamIsAnyOf } from '@/lib/event-store/storage';
import { LOG_EVENT_COLUMNS, type LogEvent } from './global-log';
import { readCheckpoint } from './runner';
import { inTransaction } from '@/lib/db/pg-transaction';

export const PROJECTIONS = ['account-balances', 'account-transactions', DAILY_TOTALS] as const;
export type ProjectionName = (typeof PROJECTIONS)[number];

type Difference = { key: string; kind: 'missing' | 'extra' | 'different'; expected?: unknown; actual?: unknown };
export type Verification = { projection: ProjectionName; rowsChecked: number; differences: Difference[] };

type Row = Record<string, string | number | null>;

const ALL_ACCOUNT_EVENTS = `SELECT ${LOG_EVENT_COLUMNS} FROM events WHERE stream_id LIKE 'account-%' ORDER BY stream_id, version`;
/** The events of some account streams ($1): exported for the plan tests. */
export const ACCOUNT_STREAMS_EVENTS = `SELECT ${LOG_EVENT_COLUMNS} FROM events
  WHERE stream_id LIKE 'account-%' AND ${streamIsAnyOf('stream_id', '$1')} ORDER BY stream_id, version`;

/** Replays the given account streams (all of them by default) into the rows the inline projections should hold. */
async function replayAccounts(client: pg.ClientBase, streamIds?: string[]) {
  const { rows } = await client.query<LogEvent>(
    streamIds ? ACCOUNT_STREAMS_EVENTS : ALL_ACCOUNT_EVENTS,
    streamIds ? [streamIds] : [],
  );
  const balances = new Map<string, BalanceRow>();
  const transactions: TransactionRow[] = [];
  let stream = '';
  let state: Account = initialState();
  for (const stored of rows) {
    if (stored.streamId !== stream) [stream, state] = [stored.streamId, initialState()];
    const event = upcastRow({ ...stored, createdAt: new Date(stored.createdAt) });
    state = evolve(state, event);
    const writes = projectAccount(state, [event], stored.version, new Date(stored.createdAt).toISOString());
    for (const b of writes.balances) balances.set(b.accountId, b);
    transactions.push(...writes.transactions);
  }
  return { balances: [...balances.values()], transactions };
}

const balanceKey = (r: { accountId: string }) => r.accountId;
const transactionKey = (r: { accountId: string; version: number }) => `${r.accountId}#${r.version}`;
const normalizeBalance = (r: BalanceRow): Row => ({
  accountNumber: r.accountNumber,
  customerId: r.customerId,
  owner: r.owner,
  balanceCents: String(r.balanceCents),
  version: r.version,
  openedAt: iso(r.openedAt),
  updatedAt: iso(r.updatedAt),
});
const normalizeTransaction = (r: TransactionRow): Row => ({
  kind: r.kind,
  amountCents: String(r.amountCents),
  balanceAfterCents: String(r.balanceAfterCents),
  occurredAt: iso(r.occurredAt),
  counterpartyId: r.counterpartyId,
  reference: r.reference ?? null,
});
const iso = (value: string | Date) => new Date(value).toISOString();

function compare<T>(
  name: ProjectionName,
  expected: T[],
  actual: T[],
  key: (r: T) => string,
  normalize: (r: T) => Row,
): Verification {
  const want = new Map(expected.map((r) => [key(r), normalize(r)]));
  const have = new Map(actual.map((r) => [key(r), normalize(r)]));
  const differences: Difference[] = [];
  for (const [k, e] of want) {
    const a = have.get(k);
    if (!a) differences.push({ key: k, kind: 'missing', expected: e });
    else if (JSON.stringify(a) !== JSON.stringify(e))
      differences.push({ key: k, kind: 'different', expected: e, actual: a });
  }
  for (const [k, a] of have) if (!want.has(k)) differences.push({ key: k, kind: 'extra', actual: a });
  return { projection: name, rowsChecked: Math.max(want.size, have.size), differences };
}

async function liveBalances(client: pg.ClientBase): Promise<BalanceRow[]> {
  const { rows } = await client.query(
    `SELECT account_id AS "accountId", account_number AS "accountNumber", customer_id AS "customerId", owner, balance_cents::text AS "balanceCents", version, opened_at AS "openedAt", updated_at AS "updatedAt" FROM account_balances`,
  );
  return rows as BalanceRow[];
}

async function liveTransactions(client: pg.ClientBase): Promise<TransactionRow[]> {
  const { rows } = await client.query(
    `SELECT account_id AS "accountId", version, kind, amount_cents::text AS "amountCents", balance_after_cents::text AS "balanceAfterCents",
            occurred_at AS "occurredAt", counterparty_account_id AS "counterpartyId", reference FROM account_transactions`,
  );
  return rows as TransactionRow[];
}

/** Daily totals as of the projection's checkpoint, computed from the log. */
async function expectedDailyTotals(client: pg.ClientBase) {
  const checkpoint = await readCheckpoint(client, DAILY_TOTALS);
  const { rows } = await client.query<LogEvent>(
    `SELECT ${LOG_EVENT_COLUMNS} FROM events WHERE (transaction_id, global_position) <= ($1::text::xid8, $2::bigint)`,
    [checkpoint.transactionId, checkpoint.position.toString()],
  );
  return totalsOf(rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt) })));
}

type Totals = ReturnType<typeof totalsOf>[number];
const totalsKey = (r: Totals) => `${r.day}|${r.accountId}`;
const normalizeTotals = (r: Totals): Row => ({
  deposits: String(r.depositsCents),
  depositCount: Number(r.depositCount),
  withdrawals: String(r.withdrawalsCents),
  withdrawalCount: Number(r.withdrawalCount),
  transfersIn: String(r.transfersInCents),
  transfersOut: String(r.transfersOutCents),
  transferCount: Number(r.transferCount),
});

async function liveDailyTotals(client: pg.ClientBase): Promise<Totals[]> {
  const { rows } = await client.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, account_id AS "accountId", deposits_cents AS "depositsCents", deposit_count AS "depositCount",
            withdrawals_cents AS "withdrawalsCents", withdrawal_count AS "withdrawalCount", transfers_in_cents AS "transfersInCents",
            transfers_out_cents AS "transfersOutCents", transfer_count AS "transferCount" FROM daily_account_totals`,
  );
  return rows as Totals[];
}

export async function verifyProjection(client: pg.ClientBase, name: ProjectionName): Promise<Verification> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'); // one consistent snapshot of log and projection
  try {
    if (name === DAILY_TOTALS)
      return compare(
        name,
        await expectedDailyTotals(client),
        await liveDailyTotals(client),
        totalsKey,
        normalizeTotals,
      );
    const expected = await replayAccounts(client);
    return name === 'account-balances'
      ? compare(name, expected.balances, await liveBalances(client), balanceKey, normalizeBalance)
      : compare(name, expected.transactions, await liveTransactions(client), transactionKey, normalizeTransaction);
  } finally {
    await client.query('COMMIT');
  }
}

export async function rebuildProjection(client: pg.ClientBase, name: ProjectionName): Promise<{ rows: number }> {
  if (name === DAILY_TOTALS) return rebuildDailyTotals(client);
  let replayed = await replayAccounts(client); // the long part, while the app keeps serving
  return inTransaction(client, async () => {
    // Pause writers of both inline projections (readers are not blocked), then catch up the
    // streams that moved while we replayed.
    await client.query('LOCK TABLE account_balances, account_transactions IN SHARE ROW EXCLUSIVE MODE');
    const { rows } = await client.query<{ streamId: string; version: number }>(
      `SELECT stream_id AS "streamId", max(version) AS version FROM events WHERE stream_id LIKE 'account-%' GROUP BY stream_id`,
    );
    const seen = new Map(replayed.balances.map((b) => [`account-${b.accountId}`, b.version]));
    const moved = rows.filter((r) => seen.get(r.streamId) !== r.version).map((r) => r.streamId);
    if (moved.length > 0) {
      const delta = await replayAccounts(client, moved);
      const movedIds = new Set(moved.map((s) => s.slice('account-'.length)));
      replayed = {
        balances: [...replayed.balances.filter((b) => !movedIds.has(b.accountId)), ...delta.balances],
        transactions: [...replayed.transactions.filter((t) => !movedIds.has(t.accountId)), ...delta.transactions],
      };
    }
    if (name === 'account-balances') {
      await client.query('DELETE FROM account_balances');
      await insertChunks(client, replayed.balances, (chunk) => [
        `INSERT INTO account_balances (account_id, account_number, customer_id, owner, balance_cents, version, opened_at, updated_at)
         SELECT "accountId", "accountNumber", "customerId", owner, "balanceCents", version, "openedAt", "updatedAt"
           FROM jsonb_to_recordset($1::jsonb)
             AS b("accountId" uuid, "accountNumber" text, "customerId" text, owner text, "balanceCents" bigint, version int, "openedAt" timestamptz, "updatedAt" timestamptz)`,
        [JSON.stringify(chunk)],
      ]);
    } else {
      await client.query('DELETE FROM account_transactions');
      await insertChunks(client, replayed.transactions, (chunk) => [
        `INSERT INTO account_transactions (account_id, version, kind, amount_cents, balance_after_cents, occurred_at, counterparty_account_id, reference)
         SELECT "accountId", version, kind, "amountCents", "balanceAfterCents", "occurredAt", "counterpartyId", reference
           FROM jsonb_to_recordset($1::jsonb) AS t("accountId" uuid, version int, kind text, "amountCents" bigint, "balanceAfterCents" bigint,
                "occurredAt" timestamptz, "counterpartyId" uuid, reference text)`,
        [JSON.stringify(chunk)],
      ]);
    }
    return { rows: name === 'account-balances' ? replayed.balances.length : replayed.transactions.length };
  });
}

async function rebuildDailyTotals(client: pg.ClientBase): Promise<{ rows: number }> {
  return inTransaction(client, async () => {
    await readCheckpoint(client, DAILY_TOTALS, true); // the runner waits while we swap
    const totals = await expectedDailyTotals(client);
    await client.query('DELETE FROM daily_account_totals');
    await insertChunks(client, totals, (chunk) => [
      `INSERT INTO daily_account_totals (day, account_id, deposits_cents, deposit_count, withdrawals_cents, withdrawal_count, transfers_in_cents, transfers_out_cents, transfer_count)
       SELECT day, "accountId", "depositsCents", "depositCount", "withdrawalsCents", "withdrawalCount", "transfersInCents", "transfersOutCents", "transferCount"
         FROM jsonb_to_recordset($1::jsonb) AS t(day date, "accountId" uuid, "depositsCents" bigint, "depositCount" int, "withdrawalsCents" bigint,
              "withdrawalCount" int, "transfersInCents" bigint, "transfersOutCents" bigint, "transferCount" int)`,
      [JSON.stringify(chunk)],
    ]);
    return { rows: totals.length };
  });
}

async function insertChunks<T>(client: pg.ClientBase, rows: T[], statement: (chunk: T[]) => [string, unknown[]]) {
  for (let i = 0; i < rows.length; i += 5_000) await client.query(...statement(rows.slice(i, i + 5_000)));
}
