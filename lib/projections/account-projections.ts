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

export type TransactionKind = 'deposit' | 'withdrawal';

export type TransactionRow = {
  accountId: string;
  version: number;
  kind: TransactionKind;
  amountCents: number;
  balanceAfterCents: number;
  commandId: string;
  occurredAt: string;
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
    transactions.push({
      accountId: event.data.accountId,
      version: firstVersion + index,
      kind: event.type === 'MoneyDeposited' ? 'deposit' : 'withdrawal',
      amountCents: event.data.amountCents,
      balanceAfterCents: event.data.balanceAfterCents,
      commandId,
      occurredAt: at,
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

export function mergeWrites(...writes: AccountProjectionWrites[]): AccountProjectionWrites {
  return { balances: writes.flatMap((w) => w.balances), transactions: writes.flatMap((w) => w.transactions) };
}
