// Invariants of the streams and of the projections a replay of them implies.
import {
  accountIdOf,
  groupBy,
  violation,
  type AccountReplay,
  type Ledger,
  type TransactionRow,
  isStandingOrderStream,
} from './ledger';

/** [stream-gap] every stream's versions are 1..n. */
export function streamVersionsAreContiguous({ streams }: Ledger): string[] {
  return [...streams].flatMap(([streamId, stream]) => {
    const versions = stream.map((e) => e.version);
    return versions.some((v, i) => v !== i + 1)
      ? [violation('stream-gap', `${streamId}: versions ${abbreviate(versions)} are not 1..${stream.length}`)]
      : [];
  });
}

/** [stream-shape] an account stream starts with AccountOpened, once; its events name its account and are of known types. */
export function streamsAreAccountStreams({ streams, accounts }: Ledger): string[] {
  const found: string[] = [];
  for (const streamId of streams.keys())
    if (!accountIdOf(streamId) && !isStandingOrderStream(streamId))
      found.push(violation('stream-shape', `${streamId}: not an account stream`));
  for (const { streamId, accountId, events, unknown } of accounts) {
    if (events[0]?.type !== 'AccountOpened')
      found.push(violation('stream-shape', `${streamId}: first event is ${events[0]?.type}, not AccountOpened`));
    for (const e of events.slice(1))
      if (e.type === 'AccountOpened')
        found.push(violation('stream-shape', `${streamId}: AccountOpened again at version ${e.version}`));
    for (const e of events)
      if (e.data.accountId !== accountId)
        found.push(violation('stream-shape', `${streamId} v${e.version}: data.accountId is ${e.data.accountId}`));
    for (const e of unknown)
      found.push(violation('stream-shape', `${streamId} v${e.version}: unknown event type ${e.type}`));
  }
  return found;
}

/** [balance-chain] along a stream, balanceAfter = before ± amount, amounts positive. */
export function balanceChainHolds({ accounts }: Ledger): string[] {
  const found: string[] = [];
  for (const { streamId, steps, balance, credits, debits } of accounts) {
    for (const { event: e, sign, amount, before, expected, after } of steps) {
      if (!Number.isSafeInteger(amount) || amount <= 0)
        found.push(
          violation('balance-chain', `${streamId} v${e.version}: amountCents ${amount} is not a positive integer`),
        );
      if (after !== expected)
        found.push(
          violation(
            'balance-chain',
            `${streamId} v${e.version} ${e.type}: balanceAfterCents ${after}, but ${before} ${sign > 0 ? '+' : '−'} ${amount} = ${expected}`,
          ),
        );
    }
    if (balance !== credits - debits)
      found.push(
        violation('balance-chain', `${streamId}: final balance ${balance} ≠ credits ${credits} − debits ${debits}`),
      );
  }
  return found;
}

/** [balance-negative] no balance is ever below zero. */
export function balancesNeverNegative({ accounts }: Ledger): string[] {
  const found: string[] = [];
  for (const { streamId, steps, balance } of accounts) {
    for (const { event: e, after } of steps)
      if (typeof after === 'number' && after < 0)
        found.push(violation('balance-negative', `${streamId} v${e.version}: balance ${after} after ${e.type}`));
    if (balance < 0) found.push(violation('balance-negative', `${streamId}: final balance ${balance}`));
  }
  return found;
}

/** [projection-balance] account_balances = replay of the stream (name, customer, account number, balance, version, opened_at). */
export function balanceProjectionMatchesReplay({ accounts, balances }: Ledger): string[] {
  const found: string[] = [];
  const rowByAccount = new Map(balances.map((b) => [b.account_id, b]));
  for (const { accountId, events, balance } of accounts) {
    const row = rowByAccount.get(accountId);
    rowByAccount.delete(accountId);
    const last = events.at(-1)!;
    if (!row) {
      found.push(
        violation('projection-balance', `${accountId}: no account_balances row (stream at version ${last.version})`),
      );
      continue;
    }
    const opened = events[0]?.type === 'AccountOpened' ? events[0] : null;
    // Accounts opened before customers carry no number or customer in their event (the migration numbered them).
    const replayed = {
      owner: opened?.data.owner,
      customerId: opened?.data.customerId ?? null,
      accountNumber: opened?.data.accountNumber ?? row.account_number,
      balance: String(balance),
      version: last.version,
      openedAt: opened ? Date.parse(opened.data.openedAt ?? '') : null,
    };
    const stored = {
      owner: row.owner,
      customerId: row.customer_id,
      accountNumber: row.account_number,
      balance: row.balance_cents,
      version: row.version,
      openedAt: row.opened_at.getTime(),
    };
    if (JSON.stringify(stored) !== JSON.stringify(replayed))
      found.push(
        violation(
          'projection-balance',
          `${accountId}: account_balances ${JSON.stringify(stored)} ≠ replay ${JSON.stringify(replayed)}`,
        ),
      );
  }
  for (const [accountId, row] of rowByAccount)
    found.push(
      violation(
        'projection-balance',
        `${accountId}: account_balances row (balance ${row.balance_cents}) without a stream`,
      ),
    );
  return found;
}

/**
 * [projection-transactions] account_transactions = the stream's money events, row for row at the same
 * version (kind, amount, balance after, time, counterparty, reference). The rows name no command:
 * that a row was written by its event's command is [command-commit]'s check (the same transaction).
 */
export function transactionProjectionMatchesReplay({ accounts, transactions }: Ledger): string[] {
  const found: string[] = [];
  const rowsByAccount = groupBy(transactions, (t) => t.account_id);
  for (const replay of accounts) {
    const a = (rowsByAccount.get(replay.accountId) ?? []).map(transactionText);
    rowsByAccount.delete(replay.accountId);
    const b = expectedTransactions(replay).map(transactionText);
    if (a.join('\n') === b.join('\n')) continue;
    const i = a.findIndex((line, index) => line !== b[index]);
    const at = i < 0 ? Math.min(a.length, b.length) : i;
    found.push(
      violation(
        'projection-transactions',
        `${replay.accountId}: ${a.length} rows vs ${b.length} money events; first difference at #${at + 1}: stored ${a[at] ?? '(none)'} vs replay ${b[at] ?? '(none)'}`,
      ),
    );
  }
  for (const [accountId, left] of rowsByAccount)
    found.push(
      violation('projection-transactions', `${accountId}: ${left.length} account_transactions row(s) without a stream`),
    );
  return found;
}

function expectedTransactions({ accountId, steps }: AccountReplay): Omit<TransactionRow, 'xmin'>[] {
  return steps.map(({ event: e, kind, amount, after }) => ({
    account_id: accountId,
    version: e.version,
    kind,
    amount_cents: String(amount),
    balance_after_cents: String(after),
    occurred_at: e.created_at,
    counterparty_account_id:
      e.type === 'MoneyTransferredOut'
        ? (e.data.toAccountId ?? null)
        : e.type === 'MoneyTransferredIn'
          ? (e.data.fromAccountId ?? null)
          : null,
    reference: e.type.startsWith('MoneyTransferred') && typeof e.data.reference === 'string' ? e.data.reference : null,
  }));
}

function transactionText(t: Omit<TransactionRow, 'xmin'>): string {
  const counterparty = t.counterparty_account_id ? ` with ${t.counterparty_account_id}` : '';
  const reference = t.reference === null ? '' : ` ref ${JSON.stringify(t.reference)}`;
  return `v${t.version} ${t.kind} ${t.amount_cents} → ${t.balance_after_cents}${counterparty}${reference} at ${t.occurred_at.toISOString()}`;
}

function abbreviate(values: number[]): string {
  return values.length > 12 ? `${values.slice(0, 6).join(',')},…,${values.slice(-4).join(',')}` : values.join(',');
}
