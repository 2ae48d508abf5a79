import { describe, expect, it } from 'vitest';
import { evolve, initialState, MAX_BALANCE_CENTS, type AccountEvent } from './account';
import { decideTransfer, type TransferMoney } from './transfer';
import type { AccountId } from './account-id';

const a = 'aaaaaaaa-0000-4000-8000-000000000001' as AccountId;
const customerId = 'customer-1';
const b = 'bbbbbbbb-0000-4000-8000-000000000002' as AccountId;
const now = new Date('2026-11-26T10:00:00.000Z');
const at = now.toISOString();

const account = (accountId: string, balanceCents: number) =>
  (
    [
      {
        type: 'AccountOpened',
        data: { accountId, accountNumber: '100000000008', customerId, owner: accountId.slice(0, 4), openedAt: at },
      },
      ...(balanceCents > 0
        ? [
            {
              type: 'MoneyDeposited',
              data: {
                accountId,
                amountCents: balanceCents,
                currency: 'USD',
                balanceAfterCents: balanceCents,
                depositedAt: at,
              },
            },
          ]
        : []),
    ] as AccountEvent[]
  ).reduce(evolve, initialState());

const transfer = (amountCents: number, fromAccountId = a, toAccountId = b): TransferMoney => ({
  type: 'TransferMoney',
  data: { transferId: 't-1', fromAccountId, toAccountId, amountCents },
  metadata: { commandId: 'cmd-1', now, customerId },
});

describe('decideTransfer', () => {
  it('given two open accounts, moves the amount: out of the source, into the destination', () => {
    expect(decideTransfer(transfer(2_500), account(a, 10_000), account(b, 100))).toEqual({
      ok: true,
      from: [
        {
          type: 'MoneyTransferredOut',
          data: {
            accountId: a,
            transferId: 't-1',
            toAccountId: b,
            amountCents: 2_500,
            balanceAfterCents: 7_500,
            transferredAt: at,
          },
        },
      ],
      to: [
        {
          type: 'MoneyTransferredIn',
          data: {
            accountId: b,
            transferId: 't-1',
            fromAccountId: a,
            amountCents: 2_500,
            balanceAfterCents: 2_600,
            transferredAt: at,
          },
        },
      ],
    });
  });

  it('may empty the source exactly', () => {
    expect(decideTransfer(transfer(10_000), account(a, 10_000), account(b, 0)).ok).toBe(true);
  });

  it('rejects more than the source holds, with its balance and the amount', () => {
    expect(decideTransfer(transfer(10_001), account(a, 10_000), account(b, 0))).toEqual({
      ok: false,
      rejection: { code: 'InsufficientFunds', accountId: a, balanceCents: 10_000, requestedCents: 10_001 },
    });
  });

  it('rejects a transfer to the same account', () => {
    expect(decideTransfer(transfer(1, a, a), account(a, 100), account(a, 100))).toEqual({
      ok: false,
      rejection: { code: 'SameAccount', accountId: a },
    });
  });

  it('names the missing account: source or destination', () => {
    expect(decideTransfer(transfer(1), initialState(), account(b, 0))).toEqual({
      ok: false,
      rejection: { code: 'AccountNotFound', accountId: a },
    });
    expect(decideTransfer(transfer(1), account(a, 100), initialState())).toEqual({
      ok: false,
      rejection: { code: 'AccountNotFound', accountId: b },
    });
  });

  it.each([0, -1, 1.5])('rejects the amount %d', (cents) => {
    expect(decideTransfer(transfer(cents), account(a, 100), account(b, 0))).toMatchObject({
      ok: false,
      rejection: { code: 'InvalidAmount' },
    });
  });

  it('rejects a transfer that would take the destination past the balance limit', () => {
    const full = [
      {
        type: 'AccountOpened',
        data: { accountId: b, accountNumber: '100000000016', customerId, owner: 'b', openedAt: at },
      },
      {
        type: 'MoneyDeposited',
        data: { accountId: b, amountCents: 1, currency: 'USD', balanceAfterCents: MAX_BALANCE_CENTS, depositedAt: at },
      },
    ] as AccountEvent[];
    expect(decideTransfer(transfer(1), account(a, 100), full.reduce(evolve, initialState()))).toMatchObject({
      ok: false,
      rejection: { code: 'BalanceLimitExceeded', accountId: b },
    });
  });

  it('replaying both sides gives both new balances', () => {
    const decision = decideTransfer(transfer(300), account(a, 1_000), account(b, 50));
    if (!decision.ok) throw new Error('expected acceptance');
    expect(decision.from.reduce(evolve, account(a, 1_000))).toMatchObject({ balanceCents: 700 });
    expect(decision.to.reduce(evolve, account(b, 50))).toMatchObject({ balanceCents: 350 });
  });

  it('given a reference, writes it on both sides; without one, neither side has the field', () => {
    const withReference = { ...transfer(500), data: { ...transfer(500).data, reference: 'Invoice 42' } };
    const decision = decideTransfer(withReference, account(a, 1_000), account(b, 0));
    if (!decision.ok) throw new Error('expected acceptance');
    expect(decision.from[0]!.data).toMatchObject({ reference: 'Invoice 42' });
    expect(decision.to[0]!.data).toMatchObject({ reference: 'Invoice 42' });
    const plain = decideTransfer(transfer(500), account(a, 1_000), account(b, 0));
    if (!plain.ok) throw new Error('expected acceptance');
    expect('reference' in plain.from[0]!.data).toBe(false);
    expect('reference' in plain.to[0]!.data).toBe(false);
  });
});
