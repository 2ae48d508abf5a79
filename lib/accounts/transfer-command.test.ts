import { describe, expect, it } from 'vitest';
import { DeciderSpecification, specDecider } from '@/lib/testing/decider-spec';
import { MAX_BALANCE_CENTS, type AccountEvent } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import type { TransferMoney } from '@/lib/accounts/domain/transfer';
import { EVENT_SCHEMA_VERSIONS as SCHEMA, storedDataOf } from '@/lib/accounts/domain/upcast';
import { fingerprint, type LoadedStream, type RecordedEvent } from '@/lib/event-store';
import { accountBalances, accountTransactions } from './inline-projections';
import { ACCOUNT_SNAPSHOT_SCHEMA } from './stream';
import { transferCommandSpec } from './transfer-command';

// The transfer spec as the engine sees it: one command over two streams. Given both loaded streams,
// when the spec decides, then both appends at their own expected versions, both accounts' rows, and
// the snapshots of whichever side crosses a multiple of `every`; or this rejection.

const a = 'aaaaaaaa-0000-4000-8000-000000000001' as AccountId;
const b = 'bbbbbbbb-0000-4000-8000-000000000002' as AccountId;
const c = 'cccccccc-0000-4000-8000-000000000003' as AccountId;
const streamOf = (id: string) => `account-${id}`;
const ada = 'customer-ada';
const bob = 'customer-bob';
/** Ada holds a, Bob holds b; commands act as Ada unless another customer is named. */
const adaHolds = { owner: 'Ada', customerId: ada, accountNumber: '100000000008' };
const holder = (id: string) => (id === a ? adaHolds : { owner: 'Bob', customerId: bob, accountNumber: '100000000016' });
const earlier = '2026-11-01T09:00:00.000Z';
const now = new Date('2026-11-26T10:00:00.000Z');
const at = now.toISOString();

const transfer = (amountCents: number, fromAccountId = a, toAccountId = b, customerId = ada): TransferMoney => {
  const metadata = { commandId: 'cmd-1', now, customerId };
  return { type: 'TransferMoney', data: { transferId: 't-1', fromAccountId, toAccountId, amountCents }, metadata };
};
const state = (id: string, balanceCents: number) => ({
  status: 'open',
  accountId: id,
  ...holder(id),
  balanceCents,
  openedAt: earlier,
});
/** An account loaded from a snapshot at `version`. */
const snapshotAt = (id: string, version: number, balanceCents: number): [string, LoadedStream] => {
  return [streamOf(id), { snapshot: { version, state: state(id, balanceCents) }, events: [], version }];
};
/** An account loaded from its events: opened, then one deposit of `cents` (version 2). */
const openedWith = (id: string, cents: number): [string, LoadedStream] => {
  const past: AccountEvent[] = [
    { type: 'AccountOpened', data: { accountId: id, ...holder(id), openedAt: earlier } },
    {
      type: 'MoneyDeposited',
      data: { accountId: id, amountCents: cents, currency: 'USD', balanceAfterCents: cents, depositedAt: earlier },
    },
  ];
  const recorded = past.map((e, i): RecordedEvent => {
    const metadata = {
      commandId: 'past',
      commandType: 'Past',
      causationId: 'past',
      correlationId: 'past',
      schemaVersion: SCHEMA[e.type],
    };
    return {
      globalPosition: BigInt(i + 1),
      streamId: streamOf(id),
      version: i + 1,
      ...e,
      metadata,
      commandId: 'past',
      createdAt: now,
    };
  });
  return [streamOf(id), { snapshot: null, events: recorded, version: 2 }];
};

/** Given the accounts' streams as loaded, when a transfer, then the spec's decision (a snapshot every `every` events). */
const transfers = (every = 0) =>
  DeciderSpecification.for(specDecider((command: TransferMoney) => transferCommandSpec(command, every)));

// The expected decision: side(id, expectedVersion, balance after) per account, spelled out whole.
type Side = { id: string; v: number; after: number };
const meta = {
  commandId: 'cmd-1',
  commandType: 'TransferMoney',
  causationId: 'cmd-1',
  correlationId: 'cmd-1',
  schemaVersion: 1,
};
function accepted(amountCents: number, from: Side, to: Side, snapshots: object[] = []) {
  const common = { transferId: 't-1', amountCents };
  const moved = { ...common, transferredAt: at };
  const out: AccountEvent = {
    type: 'MoneyTransferredOut',
    data: { ...moved, accountId: from.id, toAccountId: to.id, balanceAfterCents: from.after },
  };
  const into: AccountEvent = {
    type: 'MoneyTransferredIn',
    data: { ...moved, accountId: to.id, fromAccountId: from.id, balanceAfterCents: to.after },
  };
  const balance = (s: Side) => {
    const h = holder(s.id);
    const row = {
      account_id: s.id,
      account_number: h.accountNumber,
      customer_id: h.customerId,
      owner: h.owner,
      balance_cents: s.after,
    };
    return { ...row, version: s.v + 1, opened_at: earlier, updated_at: at };
  };
  const tx = (s: Side, kind: string, counterparty: string) => {
    const row = { account_id: s.id, version: s.v + 1, kind, amount_cents: amountCents, balance_after_cents: s.after };
    return { ...row, occurred_at: at, counterparty_account_id: counterparty, reference: null };
  };
  return {
    status: 'accepted',
    result: {
      ...common,
      fromAccountId: from.id,
      toAccountId: to.id,
      toAccountNumber: holder(to.id).accountNumber,
      fromBalanceCents: from.after,
      toBalanceCents: to.after,
    },
    work: {
      appends: [
        // Stored without what each row says: the account id (the stream's) and the time (the command's).
        {
          streamId: streamOf(from.id),
          expectedVersion: from.v,
          events: [{ type: out.type, data: storedDataOf(out, streamOf(from.id), at), metadata: meta }],
        },
        {
          streamId: streamOf(to.id),
          expectedVersion: to.v,
          events: [{ type: into.type, data: storedDataOf(into, streamOf(to.id), at), metadata: meta }],
        },
      ],
      projections: [
        { projection: accountBalances, rows: [balance(from), balance(to)] },
        { projection: accountTransactions, rows: [tx(from, 'transfer-out', to.id), tx(to, 'transfer-in', from.id)] },
      ],
      snapshots,
    },
  };
}
const rejected = (rejection: object) => ({ status: 'rejected', rejection });

describe('TransferMoney accepted', () => {
  it('given the source at version 4 and the destination at 2, appends at 4 and 2 and writes both sides at 5 and 3', () => {
    transfers()
      .given([snapshotAt(a, 4, 1_000), openedWith(b, 100)])
      .when(transfer(250))
      .then(accepted(250, { id: a, v: 4, after: 750 }, { id: b, v: 2, after: 350 }));
  });

  it('may empty the source exactly', () => {
    transfers()
      .given([snapshotAt(a, 9, 300), snapshotAt(b, 1, 0)])
      .when(transfer(300))
      .then(accepted(300, { id: a, v: 9, after: 0 }, { id: b, v: 1, after: 300 }));
  });

  it('snapshots the side that crosses a multiple of every, either side or both, none when every is 0', () => {
    const streams: [string, LoadedStream][] = [snapshotAt(a, 4, 1_000), snapshotAt(b, 7, 100)];
    const from = { id: a, v: 4, after: 900 };
    const to = { id: b, v: 7, after: 200 };
    const snapA = { streamId: streamOf(a), version: 5, schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA, state: state(a, 900) };
    const snapB = { streamId: streamOf(b), version: 8, schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA, state: state(b, 200) };
    transfers(5)
      .given(streams)
      .when(transfer(100))
      .then(accepted(100, from, to, [snapA]));
    transfers(8)
      .given(streams)
      .when(transfer(100))
      .then(accepted(100, from, to, [snapB]));
    transfers(1)
      .given(streams)
      .when(transfer(100))
      .then(accepted(100, from, to, [snapA, snapB]));
    transfers(3)
      .given(streams)
      .when(transfer(100))
      .then(accepted(100, from, to));
    transfers(0)
      .given(streams)
      .when(transfer(100))
      .then(accepted(100, from, to));
  });
});

describe('TransferMoney rejected', () => {
  const both: [string, LoadedStream][] = [snapshotAt(a, 3, 1_000), snapshotAt(b, 3, 100)];

  it('rejects a transfer to the same account', () => {
    transfers()
      .given(both)
      .when(transfer(100, a, a))
      .then(rejected({ code: 'SameAccount', accountId: a }));
  });

  it("rejects moving money out of another customer's account, before anything else is looked at", () => {
    transfers()
      .given(both)
      .when(transfer(100, a, b, bob))
      .then(rejected({ code: 'NotOwner', accountId: a }));
    transfers()
      .given(both)
      .when(transfer(100, a, a, bob))
      .then(rejected({ code: 'NotOwner', accountId: a }));
    transfers()
      .given(both)
      .when(transfer(1_000_000, b, a))
      .then(rejected({ code: 'NotOwner', accountId: b }));
  });

  it('rejects an unknown source or destination', () => {
    transfers()
      .given([snapshotAt(b, 3, 100)])
      .when(transfer(100))
      .then(rejected({ code: 'AccountNotFound', accountId: a }));
    transfers()
      .given([snapshotAt(a, 3, 1_000)])
      .when(transfer(100))
      .then(rejected({ code: 'AccountNotFound', accountId: b }));
    transfers()
      .given(both)
      .when(transfer(100, a, c))
      .then(rejected({ code: 'AccountNotFound', accountId: c }));
  });

  it('rejects more than the source holds, and a zero amount', () => {
    const insufficient = { code: 'InsufficientFunds', accountId: a, balanceCents: 1_000, requestedCents: 1_001 };
    transfers().given(both).when(transfer(1_001)).then(rejected(insufficient));
    const zero = { code: 'InvalidAmount', amountCents: 0, reason: 'Amount must be greater than zero' };
    transfers().given(both).when(transfer(0)).then(rejected(zero));
  });

  it('rejects a transfer that would take the destination past the balance limit', () => {
    const full: [string, LoadedStream][] = [snapshotAt(a, 3, 1_000), snapshotAt(b, 3, MAX_BALANCE_CENTS)];
    const limit = { code: 'BalanceLimitExceeded', accountId: b, balanceCents: MAX_BALANCE_CENTS, requestedCents: 1 };
    transfers().given(full).when(transfer(1)).then(rejected(limit));
  });
});

describe('the transfer spec the engine receives', () => {
  const fp = (command: TransferMoney) => transferCommandSpec(command, 0).fingerprint;

  it('loads both streams, source first, or the one stream when from and to are the same', () => {
    expect(transferCommandSpec(transfer(100), 0).streamIds).toEqual([streamOf(a), streamOf(b)]);
    expect(transferCommandSpec(transfer(100, b, a), 0).streamIds).toEqual([streamOf(b), streamOf(a)]);
    expect(transferCommandSpec(transfer(100, a, a), 0).streamIds).toEqual([streamOf(a)]);
  });

  it('fingerprints the request without the server-made transfer id, the command id or the time', () => {
    const first = transfer(100);
    const metadata = { commandId: 'cmd-2', now: new Date('2027-01-01'), customerId: ada };
    const retry = { ...first, data: { ...first.data, transferId: 't-2' }, metadata };
    expect(fp(retry)).toBe(fp(first));
  });

  it('tells apart another amount, source, destination or acting customer', () => {
    const requests = [
      transfer(100),
      transfer(101),
      transfer(100, b, a),
      transfer(100, a, c),
      transfer(100, c, b),
      transfer(100, a, b, bob),
    ];
    const fingerprints = requests.map(fp);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  it('tells apart another reference; no reference fingerprints as before references existed', () => {
    const withReference = (reference: string | undefined) => {
      const base = transfer(100);
      return { ...base, data: { ...base.data, reference } };
    };
    expect(fp(withReference('Rent'))).not.toBe(fp(transfer(100)));
    expect(fp(withReference('Rent'))).not.toBe(fp(withReference('Rent March')));
    expect(fp(withReference(undefined))).toBe(fp(transfer(100)));
    // The hash of {customerId, from, to, amountCents} as it was computed before the reference field.
    expect(fp(transfer(100))).toBe(fingerprint('TransferMoney', { customerId: ada, from: a, to: b, amountCents: 100 }));
  });

  it('names the command, its time and both account projections; snapshots only when every > 0', () => {
    const spec = transferCommandSpec(transfer(100), 0);
    expect(spec).toMatchObject({ commandId: 'cmd-1', type: 'TransferMoney', at: now, snapshotSchemaVersion: null });
    expect(spec.projections).toEqual([accountBalances, accountTransactions]);
    expect(transferCommandSpec(transfer(100), 10).snapshotSchemaVersion).toBe(ACCOUNT_SNAPSHOT_SCHEMA);
  });
});
