// Inline read models for accounts, computed from the aggregate state and the events of one commit.
// Pure: the unit of work writes the rows in the same transaction as the events.
import type { Account, AccountEvent } from '@/lib/domain/account';

export type BalanceRow = {
  accountId: string;
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
  commandId: string;
  occurredAt: string;
  /** The other account of a transfer. */
  counterpartyId: string | null;
};

export type AccountProjectionWrites = { balances: BalanceRow[]; transactions: TransactionRow[] };

export const noProjectionWrites = (): AccountProjectionWrites => ({ balances: [], transactions: [] });

/**
 * `stateAfter` is the account after all of `events`; `firstVersion` is the stream version of the
 * first of them. The balance row is written whole from the state, so it is right whatever the row
 * held before; the version it carries lets the writer refuse to move it backwards.
 */
export function projectAccount(
  stateAfter: Account,
  events: AccountEvent[],
  firstVersion: number,
  commandId: string,
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
      commandId,
      occurredAt: at,
      counterpartyId: movement.counterpartyId,
    });
  });
  const balance: BalanceRow = {
    accountId: stateAfter.accountId,
    owner: stateAfter.owner,
    balanceCents: stateAfter.balanceCents,
    version,
    openedAt: stateAfter.openedAt,
    updatedAt: at,
  };
  return { balances: [balance], transactions };
}

function movementOf(event: Exclude<AccountEvent, { type: 'AccountOpened' }>): { kind: TransactionKind; counterpartyId: string | null } {
  switch (event.type) {
    case 'MoneyDeposited':
      return { kind: 'deposit', counterpartyId: null };
    case 'MoneyWithdrawn':
      return { kind: 'withdrawal', counterpartyId: null };
    case 'MoneyTransferredOut':
      return { kind: 'transfer-out', counterpartyId: event.data.toAccountId };
    case 'MoneyTransferredIn':
      return { kind: 'transfer-in', counterpartyId: event.data.fromAccountId };
  }
}

export function mergeWrites(...writes: AccountProjectionWrites[]): AccountProjectionWrites {
  return { balances: writes.flatMap((w) => w.balances), transactions: writes.flatMap((w) => w.transactions) };
}
