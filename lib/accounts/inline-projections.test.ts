import { describe, expect, it } from 'vitest';
import type { Account, AccountEvent } from '@/lib/accounts/domain/account';
import { defineInlineProjection } from '@/lib/event-store';
import {
  ACCOUNT_PROJECTIONS,
  accountBalances,
  accountTransactions,
  mergeWrites,
  projectAccount,
  toProjectionWrites,
} from './inline-projections';

// The account read models as pure data: given the state after a commit and its events, then exactly
// these rows; and the rows in the engine's terms, one write per declared projection.

const a = 'aaaaaaaa-0000-4000-8000-000000000001';
const b = 'bbbbbbbb-0000-4000-8000-000000000002';
const openedAt = '2026-11-01T09:00:00.000Z';
const at = '2026-11-26T10:00:00.000Z';

// Ada's account a belongs to her as a customer; Bob's b was opened before customers existed (no owner).
type Holder = { accountId: string; accountNumber: string; customerId: string | null; owner: string };
const adas: Holder = { accountId: a, accountNumber: '100000000008', customerId: 'customer-ada', owner: 'Ada' };
const bobs: Holder = { accountId: b, accountNumber: '900000000002', customerId: null, owner: 'Bob' };
const open = (balanceCents: number, holder = adas): Account => ({ status: 'open', ...holder, balanceCents, openedAt });
const money = { accountId: a, currency: 'USD' } as const;
const opened: AccountEvent = { type: 'AccountOpened', data: { ...adas, openedAt } };
const deposited = (amountCents: number, balanceAfterCents: number): AccountEvent => {
  return { type: 'MoneyDeposited', data: { ...money, amountCents, balanceAfterCents, depositedAt: at } };
};
const withdrawn = (amountCents: number, balanceAfterCents: number): AccountEvent => {
  return { type: 'MoneyWithdrawn', data: { ...money, amountCents, balanceAfterCents, withdrawnAt: at } };
};
const transfer = { transferId: 't-1', amountCents: 300, transferredAt: at };
const out = (from: string, to: string, balanceAfterCents: number): AccountEvent => {
  return { type: 'MoneyTransferredOut', data: { ...transfer, accountId: from, toAccountId: to, balanceAfterCents } };
};
const into = (to: string, from: string, balanceAfterCents: number): AccountEvent => {
  return { type: 'MoneyTransferredIn', data: { ...transfer, accountId: to, fromAccountId: from, balanceAfterCents } };
};

/** b's side of the transfer, with the payment reference the sender gave. */
const referenced = (reference: string): AccountEvent => {
  const event = into(b, a, 1_300);
  return { ...event, data: { ...event.data, reference } } as AccountEvent;
};

const balance = (balanceCents: number, version: number) => ({
  ...adas,
  balanceCents,
  version,
  openedAt,
  updatedAt: at,
});
const tx = (
  kind: string,
  amountCents: number,
  after: number,
  version: number,
  counterpartyId: string | null = null,
) => {
  return {
    accountId: a,
    version,
    kind,
    amountCents,
    balanceAfterCents: after,
    occurredAt: at,
    counterpartyId,
    reference: null,
  };
};
const project = (state: Account, events: AccountEvent[], firstVersion: number) =>
  projectAccount(state, events, firstVersion, at);

describe('projectAccount', () => {
  it('an opening without a deposit: the balance row at version 1, no transaction row', () => {
    expect(project(open(0), [opened], 1)).toStrictEqual({ balances: [balance(0, 1)], transactions: [] });
  });

  it('an opening with a deposit: the balance at version 2, a deposit row at 2 (none for AccountOpened)', () => {
    expect(project(open(500), [opened, deposited(500, 500)], 1)).toStrictEqual({
      balances: [balance(500, 2)],
      transactions: [tx('deposit', 500, 500, 2)],
    });
  });

  it('a withdrawal at version 7', () => {
    expect(project(open(600), [withdrawn(400, 600)], 7)).toStrictEqual({
      balances: [balance(600, 7)],
      transactions: [tx('withdrawal', 400, 600, 7)],
    });
  });

  it('transfers name the other account as counterparty, out and in', () => {
    expect(project(open(700), [out(a, b, 700)], 4)).toStrictEqual({
      balances: [balance(700, 4)],
      transactions: [tx('transfer-out', 300, 700, 4, b)],
    });
    expect(project(open(1_300), [into(a, b, 1_300)], 9)).toStrictEqual({
      balances: [balance(1_300, 9)],
      transactions: [tx('transfer-in', 300, 1_300, 9, b)],
    });
  });

  it('gives each event of one commit its own version; the balance row carries the last', () => {
    const events = [deposited(100, 100), withdrawn(30, 70), deposited(5, 75)];
    expect(project(open(75), events, 3)).toStrictEqual({
      balances: [balance(75, 5)],
      transactions: [tx('deposit', 100, 100, 3), tx('withdrawal', 30, 70, 4), tx('deposit', 5, 75, 5)],
    });
  });

  it('writes nothing for an account that is not open, or for no events', () => {
    expect(project({ status: 'none' }, [deposited(100, 100)], 1)).toStrictEqual({ balances: [], transactions: [] });
    expect(project(open(100), [], 3)).toStrictEqual({ balances: [], transactions: [] });
  });
});

describe('toProjectionWrites', () => {
  // Both sides of a transfer from a (now 700 at version 4) to b (now 1,300 at version 9).
  const writes = toProjectionWrites(
    mergeWrites(project(open(700), [out(a, b, 700)], 4), project(open(1_300, bobs), [referenced('Rent')], 9)),
  );
  const common = { amount_cents: 300, occurred_at: at };
  const holders = [
    { account_id: a, account_number: '100000000008', customer_id: 'customer-ada' },
    { account_id: b, account_number: '900000000002', customer_id: null },
  ];

  it('maps to snake_case rows of both declared projections, in their declared order', () => {
    expect(writes).toStrictEqual([
      {
        projection: accountBalances,
        rows: [
          { ...holders[0], owner: 'Ada', balance_cents: 700, version: 4, opened_at: openedAt, updated_at: at },
          { ...holders[1], owner: 'Bob', balance_cents: 1_300, version: 9, opened_at: openedAt, updated_at: at },
        ],
      },
      {
        projection: accountTransactions,
        rows: [
          {
            ...common,
            account_id: a,
            version: 4,
            kind: 'transfer-out',
            balance_after_cents: 700,
            counterparty_account_id: b,
            reference: null,
          },
          {
            ...common,
            account_id: b,
            version: 9,
            kind: 'transfer-in',
            balance_after_cents: 1_300,
            counterparty_account_id: a,
            reference: 'Rent',
          },
        ],
      },
    ]);
  });

  it('fills exactly the declared columns of each projection', () => {
    expect(writes.map((w) => w.rows.length)).toStrictEqual([2, 2]);
    for (const { projection, rows } of writes) {
      for (const row of rows) expect(Object.keys(row).sort()).toStrictEqual(Object.keys(projection.columns).sort());
    }
  });

  it('writes both projections even with no rows, so the statement is the same for every command', () => {
    expect(toProjectionWrites({ balances: [], transactions: [] })).toStrictEqual([
      { projection: accountBalances, rows: [] },
      { projection: accountTransactions, rows: [] },
    ]);
  });
});

describe('the declared account projections', () => {
  it('are both valid inline projections, balances then transactions', () => {
    expect(ACCOUNT_PROJECTIONS).toStrictEqual([accountBalances, accountTransactions]);
    for (const projection of ACCOUNT_PROJECTIONS) expect(defineInlineProjection(projection)).toBe(projection);
  });

  it('key balances by account and never move them backwards', () => {
    expect(accountBalances).toMatchObject({ table: 'account_balances', key: ['account_id'] });
    expect(accountBalances.onConflict).toStrictEqual({
      update: expect.stringContaining('WHERE account_balances.version < EXCLUDED.version'),
    });
  });

  it('key transactions by stream version, guarded like the events: a second writer fails on account_transactions_pkey', () => {
    expect(accountTransactions).toMatchObject({
      table: 'account_transactions',
      key: ['account_id', 'version'],
      onConflict: 'error',
    });
    expect(accountTransactions.streamVersionConstraints).toStrictEqual(['account_transactions_pkey']);
  });
});
