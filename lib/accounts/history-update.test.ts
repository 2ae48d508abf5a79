import { describe, expect, it } from 'vitest';
import {
  HISTORY_PAGE_SIZE,
  historyHref,
  movementUpdate,
  withUpdates,
  type AccountUpdate,
  type TransactionEntry,
} from '@/lib/accounts/history-update';

// What the account page does with its own deposits' and withdrawals' answers, without the server.

const at = new Date('2026-12-07T04:00:00.000Z');
const row = (version: number, kind: TransactionEntry['kind'] = 'deposit'): TransactionEntry => ({
  version,
  kind,
  amountCents: 100,
  balanceAfterCents: version * 100,
  occurredAt: at.toISOString(),
  opening: false,
  counterparty: null,
  reference: null,
  unseen: false,
});
const update = (version: number, kind: 'DepositMoney' | 'WithdrawMoney'): AccountUpdate =>
  movementUpdate(
    kind,
    { accountId: 'a', accountNumber: 'n', owner: 'o', amountCents: 250, balanceCents: 9_750, version },
    at,
  );
/** Rows `from` down to `to`, newest first. */
const rows = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => row(from - i));

describe('movementUpdate', () => {
  it('is the row the command wrote, the balance after it, and its version', () => {
    expect(update(7, 'WithdrawMoney')).toEqual({
      version: 7,
      balanceCents: 9_750,
      entry: {
        version: 7,
        kind: 'withdrawal',
        amountCents: 250,
        balanceAfterCents: 9_750,
        occurredAt: '2026-12-07T04:00:00.000Z',
        opening: false,
        counterparty: null,
        reference: null,
        unseen: false,
      },
    });
    expect(update(3, 'DepositMoney').entry.kind).toBe('deposit');
  });
});

describe('withUpdates', () => {
  const page = { entries: rows(5, 2), olderBefore: null };

  it('puts the rows of the newest page on top, newest first', () => {
    const result = withUpdates(page, [update(6, 'DepositMoney'), update(7, 'WithdrawMoney')], {
      filter: 'all',
      before: null,
    });
    expect(result.entries.map((e) => [e.version, e.kind])).toEqual([
      [7, 'withdrawal'],
      [6, 'deposit'],
      [5, 'deposit'],
      [4, 'deposit'],
      [3, 'deposit'],
      [2, 'deposit'],
    ]);
    expect(result.olderBefore).toBeNull();
  });

  it('shows only the rows the filter shows; the page is the same object when none', () => {
    const updates = [update(6, 'DepositMoney'), update(7, 'WithdrawMoney')];
    expect(withUpdates(page, updates, { filter: 'withdrawals', before: null }).entries[0]!.version).toBe(7);
    expect(withUpdates(page, updates, { filter: 'deposits', before: null }).entries[0]!.version).toBe(6);
    expect(withUpdates(page, updates, { filter: 'transfers', before: null })).toBe(page);
  });

  it('leaves an older page as it is', () => {
    expect(withUpdates(page, [update(6, 'DepositMoney')], { filter: 'all', before: 9 })).toBe(page);
  });

  it('keeps a page to its size, the cursor past the last row it shows', () => {
    const full = { entries: rows(HISTORY_PAGE_SIZE + 1, 2), olderBefore: null };
    const result = withUpdates(full, [update(HISTORY_PAGE_SIZE + 2, 'DepositMoney')], { filter: 'all', before: null });
    expect(result.entries).toHaveLength(HISTORY_PAGE_SIZE);
    expect(result.entries[0]!.version).toBe(HISTORY_PAGE_SIZE + 2);
    expect(result.olderBefore).toBe(3);
    // A page with room keeps its cursor.
    const older = { entries: rows(5, 2), olderBefore: 2 };
    expect(withUpdates(older, [update(6, 'DepositMoney')], { filter: 'all', before: null }).olderBefore).toBe(2);
  });
});

describe('historyHref', () => {
  it('names a filter other than all and a cursor, and lands on the history', () => {
    expect(historyHref('a1', {})).toBe('/accounts/a1#history-heading');
    expect(historyHref('a1', { kind: 'all' })).toBe('/accounts/a1#history-heading');
    expect(historyHref('a1', { kind: 'deposits', before: 12 })).toBe(
      '/accounts/a1?kind=deposits&before=12#history-heading',
    );
  });
});
