import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '@/lib/testing/decider-spec';
import { decide, evolve, initialState, MAX_BALANCE_CENTS, type AccountCommand, type AccountEvent } from './account';
import { MAX_AMOUNT_CENTS } from '@/lib/domain/money';
import type { AccountId } from './account-id';
import type { AccountNumber } from './account-number';

const accountId = '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b' as AccountId;
const now = new Date('2026-11-26T10:00:00.000Z');
const at = now.toISOString();
const customerId = 'customer-ada';
const accountNumber = '100000000008' as AccountNumber;
const metadata = { commandId: 'cmd-1', now, customerId };

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { accountId, accountNumber, customerId, owner: 'Ada Lovelace', openedAt: '2026-11-01T09:00:00.000Z' },
};
const deposited = (amountCents: number, balanceAfterCents: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { accountId, amountCents, currency: 'USD', balanceAfterCents, depositedAt: '2026-11-02T09:00:00.000Z' },
});

/** Given past events, when a command is decided, then this decision. */
const account = DeciderSpecification.for({ initialState, evolve, decide });

const withdraw = (amountCents: number): AccountCommand => ({
  type: 'WithdrawMoney',
  data: { accountId, amountCents },
  metadata,
});
const deposit = (amountCents: number): AccountCommand => ({
  type: 'DepositMoney',
  data: { accountId, amountCents },
  metadata,
});
const open = (owner: string, openingDepositCents = 0): AccountCommand => ({
  type: 'OpenAccount',
  data: { accountId, accountNumber, owner, openingDepositCents },
  metadata,
});

describe('OpenAccount', () => {
  it('opens an account with the trimmed owner name and the command time', () => {
    account
      .given([])
      .when(open('  Ada Lovelace  '))
      .then({
        ok: true,
        events: [
          {
            type: 'AccountOpened',
            data: { accountId, accountNumber, customerId, owner: 'Ada Lovelace', openedAt: at },
          },
        ],
      });
  });

  it('records an opening deposit as a deposit in the same decision', () => {
    account
      .given([])
      .when(open('Ada', 10_000))
      .then({
        ok: true,
        events: [
          { type: 'AccountOpened', data: { accountId, accountNumber, customerId, owner: 'Ada', openedAt: at } },
          {
            type: 'MoneyDeposited',
            data: { accountId, amountCents: 10_000, currency: 'USD', balanceAfterCents: 10_000, depositedAt: at },
          },
        ],
      });
  });

  it('rejects opening an account twice', () => {
    account
      .given([opened])
      .when(open('Ada'))
      .then({ ok: false, rejection: { code: 'AccountAlreadyOpen', accountId } });
  });

  it.each(['', '   ', 'x'.repeat(81)])('rejects the owner name %j', (owner) => {
    account
      .given([])
      .when(open(owner))
      .thenMatches({ ok: false, rejection: { code: 'InvalidOwner' } });
  });

  it('accepts an 80-character owner name', () => {
    account
      .given([])
      .when(open('x'.repeat(80)))
      .thenMatches({ ok: true });
  });

  it.each([-1, 0.5, MAX_AMOUNT_CENTS + 1])('rejects the opening deposit %d', (cents) => {
    account
      .given([])
      .when(open('Ada', cents))
      .thenMatches({ ok: false, rejection: { code: 'InvalidAmount', amountCents: cents } });
  });
});

describe('DepositMoney', () => {
  it('adds to the balance and records the balance after', () => {
    account
      .given([opened, deposited(500, 500)])
      .when(deposit(250))
      .then({
        ok: true,
        events: [
          {
            type: 'MoneyDeposited',
            data: { accountId, amountCents: 250, currency: 'USD', balanceAfterCents: 750, depositedAt: at },
          },
        ],
      });
  });

  it('rejects a deposit to an account that does not exist', () => {
    account
      .given([])
      .when(deposit(100))
      .then({ ok: false, rejection: { code: 'AccountNotFound', accountId } });
  });

  it.each([0, -100, 1.5, MAX_AMOUNT_CENTS + 1, Number.NaN])('rejects the amount %d', (cents) => {
    account
      .given([opened])
      .when(deposit(cents))
      .thenMatches({ ok: false, rejection: { code: 'InvalidAmount' } });
  });

  it('accepts exactly the per-operation limit', () => {
    account.given([opened]).when(deposit(MAX_AMOUNT_CENTS)).thenMatches({ ok: true });
  });

  it('rejects a deposit that would take the balance past the balance limit', () => {
    const full = deposited(MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS);
    account
      .given([opened, full])
      .when(deposit(1))
      .then({
        ok: false,
        rejection: { code: 'BalanceLimitExceeded', accountId, balanceCents: MAX_BALANCE_CENTS, requestedCents: 1 },
      });
  });
});

describe('WithdrawMoney', () => {
  it('subtracts from the balance and records the balance after', () => {
    account
      .given([opened, deposited(1_000, 1_000)])
      .when(withdraw(400))
      .then({
        ok: true,
        events: [
          {
            type: 'MoneyWithdrawn',
            data: { accountId, amountCents: 400, currency: 'USD', balanceAfterCents: 600, withdrawnAt: at },
          },
        ],
      });
  });

  it('may take the balance to exactly zero', () => {
    account
      .given([opened, deposited(1_000, 1_000)])
      .when(withdraw(1_000))
      .thenMatches({ ok: true, events: [{ data: { balanceAfterCents: 0 } }] });
  });

  it('never takes the balance below zero, and says what was there and what was asked', () => {
    account
      .given([opened, deposited(1_000, 1_000)])
      .when(withdraw(1_001))
      .then({
        ok: false,
        rejection: { code: 'InsufficientFunds', accountId, balanceCents: 1_000, requestedCents: 1_001 },
      });
  });

  it('rejects a withdrawal from an account that does not exist', () => {
    account
      .given([])
      .when(withdraw(100))
      .then({ ok: false, rejection: { code: 'AccountNotFound', accountId } });
  });

  it.each([0, -1, 0.01, MAX_AMOUNT_CENTS + 1])('rejects the amount %d', (cents) => {
    account
      .given([opened, deposited(MAX_AMOUNT_CENTS, MAX_AMOUNT_CENTS)])
      .when(withdraw(cents))
      .thenMatches({
        ok: false,
        rejection: { code: 'InvalidAmount' },
      });
  });
});

describe('evolve', () => {
  it('replays a history to the balance of its last event', () => {
    const events: AccountEvent[] = [
      opened,
      deposited(1_000, 1_000),
      {
        type: 'MoneyWithdrawn',
        data: { accountId, amountCents: 300, currency: 'USD', balanceAfterCents: 700, withdrawnAt: at },
      },
    ];
    expect(events.reduce(evolve, initialState())).toEqual({
      status: 'open',
      accountId,
      accountNumber,
      customerId,
      owner: 'Ada Lovelace',
      balanceCents: 700,
      openedAt: '2026-11-01T09:00:00.000Z',
    });
  });

  it('decide is deterministic: the same command on the same state gives the same events', () => {
    const state = [opened, deposited(1_000, 1_000)].reduce(evolve, initialState());
    expect(decide(withdraw(10), state)).toEqual(decide(withdraw(10), state));
  });
});
