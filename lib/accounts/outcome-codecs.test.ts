import { describe, expect, it } from 'vitest';
import type { AccountRejection } from '@/lib/accounts/domain/account';
import { accountOutcomeCodec, outcomeOfCommand, transferOutcomeCodec } from './outcome-codecs';
import type { AccountResult, TransferResult } from './results';

// A stored outcome must give back exactly the outcome the first answer was made from: every replay,
// and the admin console, read it through these.

const A = 'e6a9a0a4-8f5c-4b0e-9a57-0d1f1c2b3a41';
const B = '0b3c1f7e-2d4a-4e6b-8c9d-1a2b3c4d5e6f';
const account: AccountResult = {
  accountId: A,
  accountNumber: '951361673969',
  owner: 'Zoë Ångström, "the" owner',
  amountCents: 12_345,
  balanceCents: 9_007_199_254_740_991,
  version: 42,
};
const transfer: TransferResult = {
  transferId: 'c0ffee00-0000-4000-8000-000000000001',
  fromAccountId: A,
  toAccountId: B,
  toAccountNumber: '123456789012',
  amountCents: 1,
  fromBalanceCents: 0,
  toBalanceCents: 250_000_00,
};
/** Stored as JSON in PostgreSQL, then parsed back. */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('account outcomes', () => {
  it('store an accepted result as five values, and give back an equal result (same keys, same order)', () => {
    const stored = accountOutcomeCodec.encode({ status: 'accepted', result: account });
    expect(stored).toEqual([12_345, 9_007_199_254_740_991, 42, '951361673969', 'Zoë Ångström, "the" owner']);
    const back = accountOutcomeCodec.decode(viaJson(stored), { streamIds: [`account-${A}`] });
    expect(back).toEqual({ status: 'accepted', result: account });
    expect(JSON.stringify(back)).toBe(JSON.stringify({ status: 'accepted', result: account }));
  });

  it('keep a rejection as it is', () => {
    const rejected = {
      status: 'rejected' as const,
      rejection: { code: 'InsufficientFunds', accountId: A, balanceCents: 5, requestedCents: 6 } as AccountRejection,
    };
    expect(accountOutcomeCodec.encode(rejected)).toEqual(rejected);
    expect(accountOutcomeCodec.decode(viaJson(rejected), { streamIds: [`account-${A}`] })).toEqual(rejected);
  });

  it('read an outcome stored before the codec (the whole object) as it is', () => {
    const old = { status: 'accepted', result: account };
    expect(accountOutcomeCodec.decode(viaJson(old), { streamIds: [`account-${A}`] })).toEqual(old);
  });

  it('refuse a stored form of another shape, or a stream that is not an account', () => {
    expect(() => accountOutcomeCodec.decode([1, 2, '3', 'n', 'o'], { streamIds: [`account-${A}`] })).toThrow(
      /unknown shape/,
    );
    expect(() => accountOutcomeCodec.decode([1, 2, 3, 'n'], { streamIds: [`account-${A}`] })).toThrow(/unknown shape/);
    expect(() => accountOutcomeCodec.decode([1, 2, 3, 'n', 'o', 'p'], { streamIds: [`account-${A}`] })).toThrow(
      /unknown shape/,
    );
    expect(() => accountOutcomeCodec.decode([1, 2, 3, 'n', 'o'], { streamIds: ['counter-1'] })).toThrow(
      /Not an account stream/,
    );
  });
});

describe('transfer outcomes', () => {
  for (const [name, result] of [
    ['without a reference', transfer],
    ['with a reference', { ...transfer, reference: 'Rent, März' }],
  ] as const)
    it(`give back an equal result ${name}`, () => {
      const stored = transferOutcomeCodec.encode({ status: 'accepted', result });
      expect(Array.isArray(stored)).toBe(true);
      const back = transferOutcomeCodec.decode(viaJson(stored), { streamIds: [`account-${A}`, `account-${B}`] });
      expect(back).toEqual({ status: 'accepted', result });
      expect(JSON.stringify(back)).toBe(JSON.stringify({ status: 'accepted', result }));
    });
});

describe('the console reads a command row through them', () => {
  it('by the command type; other types as stored', () => {
    const row = (type: string, outcome: unknown) => ({ type, streamIds: [`account-${A}`], outcome });
    const stored = accountOutcomeCodec.encode({ status: 'accepted', result: account });
    for (const type of ['OpenAccount', 'DepositMoney', 'WithdrawMoney'])
      expect(outcomeOfCommand(row(type, stored))).toEqual({ status: 'accepted', result: account });
    expect(outcomeOfCommand(row('CreateStandingOrder', [1, 2]))).toEqual([1, 2]);
  });
});
