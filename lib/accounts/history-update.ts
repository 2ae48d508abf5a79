import type { TransactionKind } from '@/lib/accounts/inline-projections';
import type { AccountResult, TransferResult } from '@/lib/accounts/results';

// An account's history as its page shows it (rows, filters, page size; read by
// lib/accounts/transaction-page.ts), and what an accepted deposit, withdrawal or transfer changed on
// the sender's page, carried by the action's answer to the page that sent it, so the page shows it
// without being rendered again: the balance, the version, and the one history row the command wrote
// there, built from the command's own result exactly as the inline projection writes it
// (lib/accounts/inline-projections.ts) and the history reads it back. Pure: the server builds an
// update, the browser merges it.

export const TRANSACTION_FILTERS = ['all', 'deposits', 'withdrawals', 'transfers'] as const;
export type TransactionFilter = (typeof TRANSACTION_FILTERS)[number];

export type Counterparty = { name: string; ownAccountId: string | null };

export type TransactionEntry = {
  version: number;
  kind: TransactionKind;
  amountCents: number;
  balanceAfterCents: number;
  occurredAt: string;
  /** The deposit made by the command that opened the account. */
  opening: boolean;
  counterparty: Counterparty | null;
  /** A transfer's payment reference, on both sides. */
  reference: string | null;
  /** Incoming money the owner has not seen yet (lib/live/seen.ts). */
  unseen: boolean;
};

/** Rows on one page of the history. */
export const HISTORY_PAGE_SIZE = 20;

/** The kinds each filter of the history shows (null: all of them). */
export const FILTER_KINDS: Record<TransactionFilter, readonly TransactionKind[] | null> = {
  all: null,
  deposits: ['deposit'],
  withdrawals: ['withdrawal'],
  transfers: ['transfer-in', 'transfer-out'],
};

export type AccountUpdate = {
  /** The account's version after the command: the row's version. */
  version: number;
  balanceCents: number;
  entry: TransactionEntry;
};

/** The page's update for an accepted, first-time (not replayed) deposit or withdrawal made at `now`. */
export function movementUpdate(
  type: 'DepositMoney' | 'WithdrawMoney',
  result: AccountResult,
  now: Date,
): AccountUpdate {
  return {
    version: result.version,
    balanceCents: result.balanceCents,
    entry: {
      version: result.version,
      kind: type === 'DepositMoney' ? 'deposit' : 'withdrawal',
      amountCents: result.amountCents,
      balanceAfterCents: result.balanceCents,
      occurredAt: now.toISOString(),
      opening: false,
      counterparty: null,
      reference: null,
      unseen: false,
    },
  };
}

/**
 * The sender's page's update for an accepted, first-time transfer made at `now`: `version` is the
 * one it wrote in the sender's account, `counterparty` the recipient as the sender's history names
 * them (lib/accounts/transaction-page.ts, counterpartyFor).
 */
export function transferUpdate(
  result: TransferResult,
  version: number,
  counterparty: Counterparty,
  now: Date,
): AccountUpdate {
  return {
    version,
    balanceCents: result.fromBalanceCents,
    entry: {
      version,
      kind: 'transfer-out',
      amountCents: result.amountCents,
      balanceAfterCents: result.fromBalanceCents,
      occurredAt: now.toISOString(),
      opening: false,
      counterparty,
      reference: result.reference ?? null,
      unseen: false,
    },
  };
}

/**
 * The history page as it is after `updates` (newest last, contiguous after the page's render): on
 * the newest page, the rows its filter shows go on top, and what falls off the bottom moves the
 * "Older transactions" cursor; an older page does not change.
 */
export function withUpdates(
  page: { entries: TransactionEntry[]; olderBefore: number | null },
  updates: readonly AccountUpdate[],
  view: { filter: TransactionFilter; before: number | null },
): { entries: TransactionEntry[]; olderBefore: number | null } {
  if (view.before !== null) return page;
  const kinds = FILTER_KINDS[view.filter];
  const added = updates
    .map((u) => u.entry)
    .filter((e) => kinds === null || kinds.includes(e.kind))
    .reverse();
  if (added.length === 0) return page;
  const all = [...added, ...page.entries];
  if (all.length <= HISTORY_PAGE_SIZE) return { entries: all, olderBefore: page.olderBefore };
  const entries = all.slice(0, HISTORY_PAGE_SIZE);
  return { entries, olderBefore: entries.at(-1)!.version };
}

/** The account page showing `kind` (all by default) from before version `before` (the newest by default), at its history. */
export function historyHref(accountId: string, params: { kind?: TransactionFilter; before?: number | null }): string {
  const search = new URLSearchParams();
  if (params.kind && params.kind !== 'all') search.set('kind', params.kind);
  if (params.before) search.set('before', String(params.before));
  const text = search.toString();
  return `/accounts/${accountId}${text ? `?${text}` : ''}#history-heading`;
}
