import { describe, expect, it } from 'vitest';
import { DeciderSpecification, specDecider } from '@/lib/testing/decider-spec';
import { MAX_BALANCE_CENTS, type AccountCommand, type AccountEvent } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import type { AccountNumber } from '@/lib/accounts/domain/account-number';
import { EVENT_SCHEMA_VERSIONS as SCHEMA, storedDataOf } from '@/lib/accounts/domain/upcast';
import type { LoadedStream, RecordedEvent } from '@/lib/event-store';
import { accountCommandSpec } from './account-commands';
import { accountBalances, accountTransactions } from './inline-projections';
import { ACCOUNT_SNAPSHOT_SCHEMA } from './stream';

// The account command specs as the engine sees them: given the loaded stream, when the spec decides,
// then exactly this decision (the result, the append, the inline rows, the snapshot) or this rejection.

const id = '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b' as AccountId;
const other = 'aaaaaaaa-0000-4000-8000-000000000001' as AccountId;
const streamId = `account-${id}`;
const number = '100000000008' as AccountNumber;
const ada = 'customer-ada';
const bob = 'customer-bob';
const earlier = '2026-11-01T09:00:00.000Z';
const now = new Date('2026-11-26T10:00:00.000Z');
const at = now.toISOString();

/** Commands act as Ada unless another customer is named. */
const command = (type: AccountCommand['type'], data: object, customerId = ada) =>
  ({ type, data, metadata: { commandId: 'cmd-1', now, customerId } }) as AccountCommand;
const open = (owner: string, openingDepositCents = 0, by = ada) =>
  command('OpenAccount', { accountId: id, accountNumber: number, owner, openingDepositCents }, by);
const deposit = (amountCents: number, accountId = id, by = ada) =>
  command('DepositMoney', { accountId, amountCents }, by);
const withdraw = (amountCents: number, by = ada) => command('WithdrawMoney', { accountId: id, amountCents }, by);

const adas = { accountId: id, accountNumber: number, customerId: ada, owner: 'Ada' };
const opened = (openedAt = earlier): AccountEvent => ({ type: 'AccountOpened', data: { ...adas, openedAt } });
const deposited = (amountCents: number, balanceAfterCents: number, depositedAt = earlier): AccountEvent => {
  return {
    type: 'MoneyDeposited',
    data: { accountId: id, amountCents, currency: 'USD', balanceAfterCents, depositedAt },
  };
};
const withdrawn = (amountCents: number, balanceAfterCents: number): AccountEvent => {
  return {
    type: 'MoneyWithdrawn',
    data: { accountId: id, amountCents, currency: 'USD', balanceAfterCents, withdrawnAt: at },
  };
};
const state = (balanceCents: number, openedAt = earlier) => ({ status: 'open', ...adas, balanceCents, openedAt });

const meta = (c: string, t: string, v: number) => ({
  commandId: c,
  commandType: t,
  causationId: c,
  correlationId: c,
  schemaVersion: v,
});
type Stored = { type: AccountEvent['type']; data: unknown };
const recorded = (version: number, event: Stored, schemaVersion = SCHEMA[event.type]): RecordedEvent => {
  const metadata = meta('past', 'Past', schemaVersion);
  return {
    globalPosition: BigInt(version),
    streamId,
    version,
    ...event,
    metadata,
    commandId: 'past',
    createdAt: new Date(earlier),
  };
};
/** A stream of these events from version 1, or one loaded from a snapshot at `version`. */
const events = (...past: AccountEvent[]) => ({
  snapshot: null,
  events: past.map((e, i) => recorded(i + 1, e)),
  version: past.length,
});
const snapshotAt = (version: number, balanceCents: number) => ({
  snapshot: { version, state: state(balanceCents) },
  events: [],
  version,
});

/** Given the account's stream as loaded (none: a new account), when a command, then the spec's decision (a snapshot every `every` events). */
const account = (every = 0) =>
  DeciderSpecification.for(specDecider((command: AccountCommand) => accountCommandSpec(command, every)));
const on = (stream: LoadedStream): [string, LoadedStream] => [streamId, stream];

// The expected decision, spelled out whole. The balance row carries the result's balance and version;
// the account opened earlier unless this command opens it (from version 0).
type Expected = {
  v: number;
  amount: number;
  balance: number;
  events: AccountEvent[];
  tx: object[];
  snapshots?: object[];
};
/** As the unit of work gets them: stored without what the row says (the account id, the command's time). */
const appended = (type: string, events: AccountEvent[]) =>
  events.map((e) => ({
    type: e.type,
    data: storedDataOf(e, streamId, at),
    metadata: meta('cmd-1', type, SCHEMA[e.type]),
  }));
function accepted(type: string, { v, amount, balance, events, tx, snapshots = [] }: Expected) {
  const version = v + events.length;
  const balanceRow = {
    account_id: id,
    account_number: number,
    customer_id: ada,
    owner: 'Ada',
    balance_cents: balance,
    version,
  };
  return {
    status: 'accepted',
    result: { accountId: id, accountNumber: number, owner: 'Ada', amountCents: amount, balanceCents: balance, version },
    work: {
      appends: [{ streamId, expectedVersion: v, events: appended(type, events) }],
      projections: [
        { projection: accountBalances, rows: [{ ...balanceRow, opened_at: v === 0 ? at : earlier, updated_at: at }] },
        { projection: accountTransactions, rows: tx },
      ],
      snapshots,
    },
  };
}
const txRow = { account_id: id, occurred_at: at, counterparty_account_id: null, reference: null };
const tx = (kind: string, amount_cents: number, balance_after_cents: number, version: number) => {
  return { ...txRow, version, kind, amount_cents, balance_after_cents };
};
const rejected = (rejection: object) => ({ status: 'rejected', rejection });
const notOwner = rejected({ code: 'NotOwner', accountId: id });

describe('OpenAccount', () => {
  const with500 = {
    v: 0,
    amount: 500,
    balance: 500,
    events: [opened(at), deposited(500, 500, at)],
    tx: [tx('deposit', 500, 500, 2)],
  };

  it('given no stream, opens at version 1 and deposits at 2: both events, the balance row, the deposit row', () => {
    account().given([]).when(open('  Ada ', 500)).then(accepted('OpenAccount', with500));
    // With snapshots every 2 events the opening crosses 2: the opened account is snapshotted.
    const snapshots = [{ streamId, version: 2, schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA, state: state(500, at) }];
    account(2)
      .given([])
      .when(open('Ada', 500))
      .then(accepted('OpenAccount', { ...with500, snapshots }));
  });

  it('without an opening deposit: one event, a balance row at version 1, no transaction row', () => {
    const bare = { v: 0, amount: 0, balance: 0, events: [opened(at)], tx: [] };
    account().given([]).when(open('Ada')).then(accepted('OpenAccount', bare));
  });

  it('rejects an account that is already open, and an empty owner', () => {
    account()
      .given([on(events(opened()))])
      .when(open('Ada'))
      .then(rejected({ code: 'AccountAlreadyOpen', accountId: id }));
    account()
      .given([])
      .when(open('  '))
      .then(rejected({ code: 'InvalidOwner', reason: 'Owner name must be 1 to 80 characters' }));
  });
});

describe('DepositMoney', () => {
  it('given version 2, appends at expected version 2 and writes the rows of version 3', () => {
    const expected = {
      v: 2,
      amount: 250,
      balance: 750,
      events: [deposited(250, 750, at)],
      tx: [tx('deposit', 250, 750, 3)],
    };
    account()
      .given([on(events(opened(), deposited(500, 500)))])
      .when(deposit(250))
      .then(accepted('DepositMoney', expected));
  });

  it('reads stored v1 events through the upcaster; an account opened before customers belongs to nobody', () => {
    const v1Data = { accountId: id, amountCents: 500, balanceAfterCents: 500, depositedAt: earlier };
    const v1Deposit = recorded(2, { type: 'MoneyDeposited', data: v1Data }, 1);
    const withoutCurrency = { snapshot: null, events: [recorded(1, opened()), v1Deposit], version: 2 };
    account()
      .given([on(withoutCurrency)])
      .when(deposit(1))
      .thenMatches({ status: 'accepted', result: { balanceCents: 501, version: 3 } });
    const v1Opened = recorded(
      1,
      { type: 'AccountOpened', data: { accountId: id, owner: 'Ada', openedAt: earlier } },
      1,
    );
    account()
      .given([on({ snapshot: null, events: [v1Opened], version: 1 })])
      .when(deposit(1))
      .then(notOwner);
  });

  it('snapshots when the commit reaches a multiple of every, and not on the next one or when every is 0', () => {
    const snapshots = [{ streamId, version: 10, schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA, state: state(1_000) }];
    const to1000 = {
      v: 9,
      amount: 100,
      balance: 1_000,
      events: [deposited(100, 1_000, at)],
      tx: [tx('deposit', 100, 1_000, 10)],
    };
    account(10)
      .given([on(snapshotAt(9, 900))])
      .when(deposit(100))
      .then(accepted('DepositMoney', { ...to1000, snapshots }));
    account(0)
      .given([on(snapshotAt(9, 900))])
      .when(deposit(100))
      .then(accepted('DepositMoney', to1000));
    account(10)
      .given([on(snapshotAt(10, 1_000))])
      .when(deposit(100))
      .thenMatches({ status: 'accepted', work: { snapshots: [] } });
  });

  it("rejects an unknown account, another customer's account, a zero amount and a balance past the limit", () => {
    account()
      .given([])
      .when(deposit(100))
      .then(rejected({ code: 'AccountNotFound', accountId: id }));
    account()
      .given([on(events(opened()))])
      .when(deposit(100, id, bob))
      .then(notOwner);
    const zero = { code: 'InvalidAmount', amountCents: 0, reason: 'Amount must be greater than zero' };
    account()
      .given([on(events(opened()))])
      .when(deposit(0))
      .then(rejected(zero));
    const full = { code: 'BalanceLimitExceeded', accountId: id, balanceCents: MAX_BALANCE_CENTS, requestedCents: 1 };
    account()
      .given([on(snapshotAt(3, MAX_BALANCE_CENTS))])
      .when(deposit(1))
      .then(rejected(full));
  });
});

describe('WithdrawMoney', () => {
  it('given a snapshot and the events after it, appends after the last event and writes a withdrawal row', () => {
    const stream = {
      snapshot: { version: 9, state: state(900) },
      events: [recorded(10, deposited(100, 1_000))],
      version: 10,
    };
    const expected = {
      v: 10,
      amount: 300,
      balance: 700,
      events: [withdrawn(300, 700)],
      tx: [tx('withdrawal', 300, 700, 11)],
    };
    account()
      .given([on(stream)])
      .when(withdraw(300))
      .then(accepted('WithdrawMoney', expected));
  });

  it("rejects more than the balance, an unknown account, another customer's account and a negative amount", () => {
    const insufficient = { code: 'InsufficientFunds', accountId: id, balanceCents: 500, requestedCents: 501 };
    account()
      .given([on(events(opened(), deposited(500, 500)))])
      .when(withdraw(501))
      .then(rejected(insufficient));
    account()
      .given([])
      .when(withdraw(1))
      .then(rejected({ code: 'AccountNotFound', accountId: id }));
    account()
      .given([on(events(opened(), deposited(500, 500)))])
      .when(withdraw(1, bob))
      .then(notOwner);
    const negative = { code: 'InvalidAmount', amountCents: -1, reason: 'Amount must be greater than zero' };
    account()
      .given([on(events(opened()))])
      .when(withdraw(-1))
      .then(rejected(negative));
  });

  it('decides again on fresher streams (as after a conflict), keeping nothing of the first answer', () => {
    const spec = accountCommandSpec(withdraw(400), 0);
    const first = new Map([[streamId, events(opened(), deposited(500, 500))]]);
    expect(spec.decide(first)).toMatchObject({ result: { balanceCents: 100, version: 3 } });
    const insufficient = { code: 'InsufficientFunds', accountId: id, balanceCents: 300, requestedCents: 400 };
    expect(spec.decide(new Map([[streamId, snapshotAt(7, 300)]]))).toStrictEqual(rejected(insufficient));
  });
});

describe('the spec the engine receives', () => {
  const later = { commandId: 'cmd-2', now: new Date('2027-01-01T00:00:00.000Z'), customerId: ada };
  const fp = (command: AccountCommand) => accountCommandSpec(command, 0).fingerprint;

  it('fingerprints the request: a retry with another command id, time, server-made id and number, or untrimmed owner matches', () => {
    expect(fp(open('Ada', 500))).toMatch(/^[0-9a-f]{64}$/);
    const retryData = { accountId: other, accountNumber: '900000000002', owner: ' Ada', openingDepositCents: 500 };
    const retry = { ...open('  Ada ', 500), data: retryData, metadata: later };
    expect(fp(retry as AccountCommand)).toBe(fp(open('Ada', 500)));
    expect(fp({ ...deposit(100), metadata: later })).toBe(fp(deposit(100)));
  });

  it('tells apart another amount, account, owner name, acting customer or command type', () => {
    const commands = [
      deposit(100),
      deposit(101),
      deposit(100, other),
      deposit(100, id, bob),
      withdraw(100),
      withdraw(100, bob),
    ];
    const fingerprints = [...commands, open('Ada', 100), open('Bob', 100), open('Ada', 100, bob)].map(fp);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  it('names the command, its one stream, its time and both account projections; snapshots only when every > 0', () => {
    const spec = accountCommandSpec(deposit(100), 0);
    expect(spec).toMatchObject({
      commandId: 'cmd-1',
      type: 'DepositMoney',
      streamIds: [streamId],
      at: now,
      snapshotSchemaVersion: null,
    });
    expect(spec.projections).toEqual([accountBalances, accountTransactions]);
    expect(accountCommandSpec(deposit(100), 10).snapshotSchemaVersion).toBe(ACCOUNT_SNAPSHOT_SCHEMA);
  });
});
