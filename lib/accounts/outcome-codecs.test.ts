import { describe, expect, it } from 'vitest';
import type { Account, AccountRejection } from '@/lib/accounts/domain/account';
import { EVENT_SCHEMA_VERSIONS, storedDataOf } from '@/lib/accounts/domain/upcast';
import type { LoadedStream } from '@/lib/event-store';
import {
  accountOutcomeCodec,
  openAccountOutcomeCodec,
  outcomeOfCommand,
  transferOutcomeCodec,
  type AccountFactsOf,
} from './outcome-codecs';
import type { AccountResult, TransferResult } from './results';

// A stored outcome must give back exactly the outcome the first answer was made from: every replay,
// and the admin console, read it through these. An account's number and holder are not stored: they
// are the account's from its opening on, and come back from its stream (replays) or its row (readers).

const A = 'e6a9a0a4-8f5c-4b0e-9a57-0d1f1c2b3a41';
const B = '0b3c1f7e-2d4a-4e6b-8c9d-1a2b3c4d5e6f';
const OPENED_AT = '2026-12-01T10:00:00.000Z';
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

/** An account's stream as the engine loads it with no snapshot: its opening event, stored lean. */
function openedStream(accountId: string, accountNumber: string, owner: string): LoadedStream {
  const streamId = `account-${accountId}`;
  const event = {
    type: 'AccountOpened' as const,
    data: { accountId, accountNumber, customerId: 'c1', owner, openedAt: OPENED_AT },
  };
  return {
    snapshot: null,
    version: 1,
    events: [
      {
        globalPosition: 1n,
        streamId,
        version: 1,
        type: event.type,
        data: storedDataOf(event, streamId, OPENED_AT),
        metadata: { schemaVersion: EVENT_SCHEMA_VERSIONS.AccountOpened },
        createdAt: new Date(OPENED_AT),
      },
    ],
  };
}

/** The same account loaded from a snapshot (its events before it not loaded). */
function snapshotStream(accountId: string, accountNumber: string, owner: string): LoadedStream {
  const state: Account = {
    status: 'open',
    accountId,
    accountNumber,
    customerId: 'c1',
    owner,
    balanceCents: 5 as never,
    openedAt: OPENED_AT,
  };
  return { snapshot: { version: 40, state: viaJson(state) }, version: 40, events: [] };
}

const streamsOf = (...streams: [string, LoadedStream][]) => new Map(streams.map(([id, s]) => [`account-${id}`, s]));
const loadedA = streamsOf([A, openedStream(A, account.accountNumber, account.owner)]);
const noStreams = new Map<string, LoadedStream>();

describe('account outcomes', () => {
  it('store an accepted result as three numbers, and give back an equal result (same keys, same order)', () => {
    const stored = accountOutcomeCodec.encode({ status: 'accepted', result: account });
    expect(stored).toEqual([12_345, 9_007_199_254_740_991, 42]);
    for (const streams of [loadedA, streamsOf([A, snapshotStream(A, account.accountNumber, account.owner)])]) {
      const back = accountOutcomeCodec.decode(viaJson(stored), { streamIds: [`account-${A}`] }, streams);
      expect(back).toEqual({ status: 'accepted', result: account });
      expect(JSON.stringify(back)).toBe(JSON.stringify({ status: 'accepted', result: account }));
    }
  });

  it('refuse to make up the number and holder of an account that is not among the streams', () => {
    const stored = accountOutcomeCodec.encode({ status: 'accepted', result: account });
    expect(() => accountOutcomeCodec.decode(stored, { streamIds: [`account-${A}`] }, noStreams)).toThrow(
      /never opened/,
    );
    const notOpened = streamsOf([A, { snapshot: null, events: [], version: 0 }]);
    expect(() => accountOutcomeCodec.decode(stored, { streamIds: [`account-${A}`] }, notOpened)).toThrow(
      /never opened/,
    );
  });

  it('of an opening keep the number and holder: its retry names no account (the server picks a new id each time)', () => {
    const stored = openAccountOutcomeCodec.encode({ status: 'accepted', result: account });
    expect(stored).toEqual([12_345, 9_007_199_254_740_991, 42, '951361673969', 'Zoë Ångström, "the" owner']);
    const retriedOn = streamsOf([B, { snapshot: null, events: [], version: 0 }]); // the retry's new id
    const back = openAccountOutcomeCodec.decode(viaJson(stored), { streamIds: [`account-${A}`] }, retriedOn);
    expect(JSON.stringify(back)).toBe(JSON.stringify({ status: 'accepted', result: account }));
  });

  it('keep a rejection as it is', () => {
    const rejected = {
      status: 'rejected' as const,
      rejection: { code: 'InsufficientFunds', accountId: A, balanceCents: 5, requestedCents: 6 } as AccountRejection,
    };
    expect(accountOutcomeCodec.encode(rejected)).toEqual(rejected);
    expect(accountOutcomeCodec.decode(viaJson(rejected), { streamIds: [`account-${A}`] }, noStreams)).toEqual(rejected);
  });

  it('read the forms stored before as they are: the whole object, and the values with number and holder', () => {
    const old = { status: 'accepted', result: account };
    expect(accountOutcomeCodec.decode(viaJson(old), { streamIds: [`account-${A}`] }, noStreams)).toEqual(old);
    const values = [12_345, 9_007_199_254_740_991, 42, '951361673969', 'Zoë Ångström, "the" owner'];
    const back = accountOutcomeCodec.decode(values, { streamIds: [`account-${A}`] }, noStreams);
    expect(JSON.stringify(back)).toBe(JSON.stringify({ status: 'accepted', result: account }));
  });

  it('refuse a stored form of another shape, or a stream that is not an account', () => {
    const ids = { streamIds: [`account-${A}`] };
    for (const stored of [
      [1, 2, '3'],
      [1, 2],
      [1, 2, 3, 4],
      [1, 2, '3', 'n', 'o'],
      [1, 2, 3, 'n'],
      [1, 2, 3, 'n', 'o', 'p'],
    ])
      expect(() => accountOutcomeCodec.decode(stored, ids, loadedA), JSON.stringify(stored)).toThrow(/unknown shape/);
    expect(() => accountOutcomeCodec.decode([1, 2, 3], { streamIds: ['counter-1'] }, loadedA)).toThrow(
      /Not an account stream/,
    );
  });
});

describe('transfer outcomes', () => {
  const streams = streamsOf(
    [A, openedStream(A, account.accountNumber, account.owner)],
    [B, snapshotStream(B, transfer.toAccountNumber, 'B')],
  );
  const ids = { streamIds: [`account-${A}`, `account-${B}`] };
  for (const [name, result] of [
    ['without a reference', transfer],
    ['with a reference', { ...transfer, reference: 'Rent, März' }],
  ] as const)
    it(`give back an equal result ${name}, the destination's number from its account`, () => {
      const stored = transferOutcomeCodec.encode({ status: 'accepted', result });
      expect(stored).toEqual([
        result.transferId,
        1,
        0,
        250_000_00,
        ...('reference' in result ? [result.reference] : []),
      ]);
      const back = transferOutcomeCodec.decode(viaJson(stored), ids, streams);
      expect(back).toEqual({ status: 'accepted', result });
      expect(JSON.stringify(back)).toBe(JSON.stringify({ status: 'accepted', result }));
    });

  it('read the form stored before (with the number) as it is, and refuse other shapes', () => {
    const old = [transfer.transferId, transfer.toAccountNumber, 1, 0, 250_000_00, 'Rent'];
    expect(transferOutcomeCodec.decode(old, ids, noStreams)).toEqual({
      status: 'accepted',
      result: { ...transfer, reference: 'Rent' },
    });
    expect(() => transferOutcomeCodec.decode([transfer.transferId, 1, 0], ids, streams)).toThrow(/unknown shape/);
    expect(() => transferOutcomeCodec.decode([transfer.transferId, 1, 0, 2], ids, noStreams)).toThrow(/never opened/);
  });
});

describe('readers of the command log read a command row through them', () => {
  it('by the command type, with the facts of its accounts; other types as stored', () => {
    const accountOf: AccountFactsOf = (id) =>
      id === A ? { accountNumber: account.accountNumber, owner: account.owner } : undefined;
    const row = (type: string, outcome: unknown) => ({ type, streamIds: [`account-${A}`], outcome });
    const stored = accountOutcomeCodec.encode({ status: 'accepted', result: account });
    for (const type of ['OpenAccount', 'DepositMoney', 'WithdrawMoney'])
      expect(outcomeOfCommand(row(type, stored), accountOf)).toEqual({ status: 'accepted', result: account });
    expect(outcomeOfCommand(row('CreateStandingOrder', [1, 2]), accountOf)).toEqual([1, 2]);
  });
});
