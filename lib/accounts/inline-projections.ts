// Inline read models for accounts, computed from the aggregate state and the events of one commit.
// The rows are pure data; the engine writes them in the same statement as the events.
import type { Account, AccountEvent } from '@/lib/accounts/domain/account';
import { defineInlineProjection, type ProjectionWrite } from '@/lib/event-store';

/** One row per account: its current balance, written whole, never moved backwards. */
export const accountBalances = defineInlineProjection({
  table: 'account_balances',
  columns: {
    account_id: 'uuid',
    account_number: 'text',
    customer_id: 'text',
    owner: 'text',
    balance_cents: 'bigint',
    version: 'int',
    opened_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  key: ['account_id'],
  onConflict: {
    update: `owner = EXCLUDED.owner, balance_cents = EXCLUDED.balance_cents, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
             WHERE account_balances.version < EXCLUDED.version`,
  },
});

/**
 * One row per money movement, keyed by (account, stream version): a second writer of a version fails
 * like the event does. No command id: the event at the same version names its command.
 */
export const accountTransactions = defineInlineProjection({
  table: 'account_transactions',
  columns: {
    account_id: 'uuid',
    version: 'int',
    kind: 'text',
    amount_cents: 'bigint',
    balance_after_cents: 'bigint',
    occurred_at: 'timestamptz',
    counterparty_account_id: 'uuid',
    reference: 'text',
  },
  key: ['account_id', 'version'],
  onConflict: 'error',
  streamVersionConstraints: ['account_transactions_pkey'],
});

export const ACCOUNT_PROJECTIONS = [accountBalances, accountTransactions] as const;

export type BalanceRow = {
  accountId: string;
  accountNumber: string;
  customerId: string | null;
  owner: string;
  balanceCents: number;
  version: number;
  openedAt: string;
  updatedAt: string;
};

export type TransactionKind = 'deposit' | 'withdrawal' | 'transfer-out' | 'transfer-in';

export type TransactionRow = {
  accountId: string;
  version: number;
  kind: TransactionKind;
  amountCents: number;
  balanceAfterCents: number;
  occurredAt: string;
  /** The other account of a transfer. */
  counterpartyId: string | null;
  /** A transfer's payment reference, when the sender gave one. */
  reference: string | null;
};

export type AccountProjectionWrites = { balances: BalanceRow[]; transactions: TransactionRow[] };

const noProjectionWrites = (): AccountProjectionWrites => ({ balances: [], transactions: [] });

/**
 * `stateAfter` is the account after all of `events`; `firstVersion` is the stream version of the
 * first of them. The balance row is written whole from the state, so it is right whatever the row
 * held before; the version it carries lets the writer refuse to move it backwards.
 */
export function projectAccount(
  stateAfter: Account,
  events: AccountEvent[],
  firstVersion: number,
  at: string,
): AccountProjectionWrites {
  if (stateAfter.status !== 'open' || events.length === 0) return noProjectionWrites();
  const version = firstVersion + events.length - 1;
  const transactions: TransactionRow[] = [];
  events.forEach((event, index) => {
    if (event.type === 'AccountOpened') return;
    const movement = movementOf(event);
    transactions.push({
      accountId: event.data.accountId,
      version: firstVersion + index,
      kind: movement.kind,
      amountCents: event.data.amountCents,
      balanceAfterCents: event.data.balanceAfterCents,
      occurredAt: at,
      counterpartyId: movement.counterpartyId,
      reference: movement.reference,
    });
  });
  const balance: BalanceRow = {
    accountId: stateAfter.accountId,
    accountNumber: stateAfter.accountNumber,
    customerId: stateAfter.customerId,
    owner: stateAfter.owner,
    balanceCents: stateAfter.balanceCents,
    version,
    openedAt: stateAfter.openedAt,
    updatedAt: at,
  };
  return { balances: [balance], transactions };
}

function movementOf(event: Exclude<AccountEvent, { type: 'AccountOpened' }>): {
  kind: TransactionKind;
  counterpartyId: string | null;
  reference: string | null;
} {
  switch (event.type) {
    case 'MoneyDeposited':
      return { kind: 'deposit', counterpartyId: null, reference: null };
    case 'MoneyWithdrawn':
      return { kind: 'withdrawal', counterpartyId: null, reference: null };
    case 'MoneyTransferredOut':
      return { kind: 'transfer-out', counterpartyId: event.data.toAccountId, reference: event.data.reference ?? null };
    case 'MoneyTransferredIn':
      return { kind: 'transfer-in', counterpartyId: event.data.fromAccountId, reference: event.data.reference ?? null };
  }
}

export function mergeWrites(...writes: AccountProjectionWrites[]): AccountProjectionWrites {
  return { balances: writes.flatMap((w) => w.balances), transactions: writes.flatMap((w) => w.transactions) };
}

/** The rows in the engine's terms: one write per declared projection. */
export function toProjectionWrites({ balances, transactions }: AccountProjectionWrites): ProjectionWrite[] {
  return [
    {
      projection: accountBalances,
      rows: balances.map((b) => ({
        account_id: b.accountId,
        account_number: b.accountNumber,
        customer_id: b.customerId,
        owner: b.owner,
        balance_cents: b.balanceCents,
        version: b.version,
        opened_at: b.openedAt,
        updated_at: b.updatedAt,
      })),
    },
    {
      projection: accountTransactions,
      rows: transactions.map((t) => ({
        account_id: t.accountId,
        version: t.version,
        kind: t.kind,
        amount_cents: t.amountCents,
        balance_after_cents: t.balanceAfterCents,
        occurred_at: t.occurredAt,
        counterparty_account_id: t.counterpartyId,
        reference: t.reference,
      })),
    },
  ];
}
