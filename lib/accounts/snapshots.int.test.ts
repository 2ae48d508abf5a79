import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand, type AccountCommandResult } from '@/lib/accounts/account-commands';
import { accountEventOf, ACCOUNT_SNAPSHOT_SCHEMA, rehydrate } from '@/lib/accounts/stream';
import type { AccountCommand } from '@/lib/accounts/domain/account';
import { commandKeyOf, loadForCommand, readStream } from '@/lib/event-store';
import { handleTransfer, type TransferCommandResult } from '@/lib/accounts/transfer-command';
import { expectConsistentAccount, testDb } from '@/test/db';
import { newAccountId } from '@/lib/accounts/ids';
import { CUSTOMER, testAccountNumber } from '@/test/customers';
import { legacyAccountNumber } from '@/lib/accounts/domain/account-number';

const db = testDb(10);
const now = new Date('2026-11-26T12:00:00.000Z');

/** Deterministic PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = { kind: 'deposit' | 'withdraw' | 'transfer'; amountCents: number; from: 0 | 1 };

/** One world: two accounts, handled with a given snapshot frequency. */
async function runWorld(steps: Step[], snapshotEvery: number) {
  const ids = [newAccountId(), newAccountId()] as const;
  for (const id of ids) {
    await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: { accountId: id, accountNumber: testAccountNumber(id), owner: 'P', openingDepositCents: 1_000 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db, snapshotEvery },
    );
  }
  const outcomes: unknown[] = [];
  for (const step of steps) {
    const metadata = { commandId: randomUUID(), now, customerId: CUSTOMER };
    const [a, b] = step.from === 0 ? ids : ([ids[1], ids[0]] as const);
    let r: AccountCommandResult | TransferCommandResult;
    if (step.kind === 'transfer') {
      r = await handleTransfer(
        {
          type: 'TransferMoney',
          data: { transferId: 't', fromAccountId: a, toAccountId: b, amountCents: step.amountCents },
          metadata,
        },
        { db, snapshotEvery },
      );
    } else {
      const command: AccountCommand = {
        type: step.kind === 'deposit' ? 'DepositMoney' : 'WithdrawMoney',
        data: { accountId: a, amountCents: step.amountCents },
        metadata,
      };
      r = await handleAccountCommand(command, { db, snapshotEvery });
    }
    // Compare what does not depend on the world's ids.
    outcomes.push(
      r.status === 'accepted'
        ? {
            status: r.status,
            result: {
              ...r.result,
              accountId: undefined,
              accountNumber: undefined,
              fromAccountId: undefined,
              toAccountId: undefined,
              toAccountNumber: undefined,
            },
          }
        : r.status === 'rejected'
          ? { status: r.status, code: r.rejection.code }
          : r.status,
    );
  }
  const states = await Promise.all(ids.map(async (id) => (await expectConsistentAccount(db, id)).state));
  return { ids, outcomes, states: states.map((s) => (s.status === 'open' ? s.balanceCents : null)) };
}

describe('snapshots', () => {
  it('property: random command sequences give the same outcomes and states with and without snapshots', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const next = random(seed);
      const steps: Step[] = Array.from({ length: 25 }, () => ({
        kind: (['deposit', 'withdraw', 'withdraw', 'transfer'] as const)[Math.floor(next() * 4)]!,
        amountCents: 1 + Math.floor(next() * 900),
        from: next() < 0.5 ? 0 : 1,
      }));
      const [withSnapshots, without] = [await runWorld(steps, 3), await runWorld(steps, 0)];
      expect(withSnapshots.outcomes, `seed ${seed}`).toEqual(without.outcomes);
      expect(withSnapshots.states, `seed ${seed}`).toEqual(without.states);
      const snapshot = await db.snapshot.findUnique({ where: { streamId: `account-${withSnapshots.ids[0]}` } });
      expect(snapshot?.version, `seed ${seed}`).toBeGreaterThanOrEqual(3);
      expect(await db.snapshot.count({ where: { streamId: { in: without.ids.map((id) => `account-${id}`) } } })).toBe(
        0,
      );
    }
  });

  it('loads the latest snapshot and only the events after it', async () => {
    const accountId = newAccountId();
    const streamId = `account-${accountId}`;
    await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'S', openingDepositCents: 100 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db, snapshotEvery: 5 },
    );
    for (let i = 0; i < 9; i++) {
      await handleAccountCommand(
        {
          type: 'DepositMoney',
          data: { accountId, amountCents: 1 },
          metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
        },
        { db, snapshotEvery: 5 },
      );
    }
    const loaded = (await loadForCommand(db, 'x', [streamId], ACCOUNT_SNAPSHOT_SCHEMA)).streams.get(streamId)!;
    expect(loaded.snapshot?.version).toBe(10);
    expect(loaded.events).toHaveLength(1);
    expect(loaded.version).toBe(11);
  });

  it('trusts a snapshot of the current schema (proof the path is used) and ignores one of another schema', async () => {
    const accountId = newAccountId();
    const streamId = `account-${accountId}`;
    await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Real name', openingDepositCents: 500 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db, snapshotEvery: 0 },
    );
    const planted = {
      status: 'open',
      accountId,
      accountNumber: testAccountNumber(accountId),
      customerId: CUSTOMER,
      owner: 'From the snapshot',
      balanceCents: 500,
      openedAt: now.toISOString(),
    };
    const deposit = () =>
      handleAccountCommand(
        {
          type: 'DepositMoney',
          data: { accountId, amountCents: 1 },
          metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
        },
        { db, snapshotEvery: 1000 },
      );

    await db.snapshot.create({
      data: { streamId, version: 2, schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA, state: planted, createdAt: now },
    });
    expect(await deposit()).toMatchObject({ result: { owner: 'From the snapshot' } });

    await db.snapshot.update({
      where: { streamId },
      data: {
        schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA - 1,
        state: { ...planted, owner: 'Stale schema', balanceCents: 999_999 },
      },
    });
    expect(await deposit()).toMatchObject({ result: { owner: 'Real name', balanceCents: 502 } });
  });
});

describe('event schema evolution', () => {
  it('reads stored v1 events (no currency) upcast to v2, and decides on them', async () => {
    // An AccountOpened v2 (owned) followed by money events stored at v1, as a stream written across
    // a deploy would hold them.
    const accountId = newAccountId();
    const streamId = `account-${accountId}`;
    const commandId = `legacy-${accountId}`;
    const v1 = (type: string, data: object) => ({
      type,
      data: { accountId, ...data },
      metadata: { commandId, commandType: 'Legacy', schemaVersion: 1 },
    });
    const legacy = [
      {
        ...v1('AccountOpened', {
          accountNumber: testAccountNumber(accountId),
          customerId: CUSTOMER,
          owner: 'Legacy Owner',
          openedAt: '2024-01-01T00:00:00.000Z',
        }),
        metadata: { commandId, commandType: 'Legacy', schemaVersion: 2 },
      },
      v1('MoneyDeposited', { amountCents: 5_000, balanceAfterCents: 5_000, depositedAt: '2024-01-02T00:00:00.000Z' }),
      v1('MoneyWithdrawn', { amountCents: 1_200, balanceAfterCents: 3_800, withdrawnAt: '2024-01-03T00:00:00.000Z' }),
    ];
    await db.$transaction([
      db.command.create({
        data: {
          commandKey: commandKeyOf(commandId),
          commandId,
          type: 'Legacy',
          streamIds: [streamId],
          fingerprint: Buffer.from('legacy'),
          status: 'accepted',
          outcome: {},
          createdAt: now,
        },
      }),
      ...legacy.map((e, i) =>
        db.event.create({
          data: {
            streamId,
            version: i + 1,
            type: e.type,
            data: e.data,
            metadata: e.metadata,
            commandKey: commandKeyOf(commandId),
            createdAt: now,
          },
        }),
      ),
    ]);

    const stored = await readStream(db, streamId);
    expect(stored[2]!.data).not.toHaveProperty('currency');
    expect(accountEventOf(stored[2]!)).toEqual({
      type: 'MoneyWithdrawn',
      data: { ...legacy[2]!.data, currency: 'USD' },
    });
    expect(rehydrate(stored)).toMatchObject({ owner: 'Legacy Owner', balanceCents: 3_800 });

    const withdrawal = await handleAccountCommand(
      {
        type: 'WithdrawMoney',
        data: { accountId, amountCents: 800 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(withdrawal).toMatchObject({ status: 'accepted', result: { balanceCents: 3_000, version: 4 } });
    const latest = (await readStream(db, streamId)).at(-1)!;
    expect(latest).toMatchObject({ data: { currency: 'USD' }, metadata: { schemaVersion: 2 } });
  });

  it('an AccountOpened v1 (before customers) is upcast to an account nobody owns: readable, never moved', async () => {
    const accountId = newAccountId();
    const streamId = `account-${accountId}`;
    const commandId = `legacy-${accountId}`;
    const metadata = { commandId, commandType: 'Legacy', schemaVersion: 1 };
    await db.$transaction([
      db.command.create({
        data: {
          commandKey: commandKeyOf(commandId),
          commandId,
          type: 'Legacy',
          streamIds: [streamId],
          fingerprint: Buffer.from('legacy'),
          status: 'accepted',
          outcome: {},
          createdAt: now,
        },
      }),
      db.event.create({
        data: {
          streamId,
          version: 1,
          type: 'AccountOpened',
          data: { accountId, owner: 'Before Customers', openedAt: '2024-01-01T00:00:00.000Z' },
          metadata,
          commandKey: commandKeyOf(commandId),
          createdAt: now,
        },
      }),
      db.event.create({
        data: {
          streamId,
          version: 2,
          type: 'MoneyDeposited',
          data: { accountId, amountCents: 700, balanceAfterCents: 700, depositedAt: '2024-01-02T00:00:00.000Z' },
          metadata,
          commandKey: commandKeyOf(commandId),
          createdAt: now,
        },
      }),
    ]);
    const state = rehydrate(await readStream(db, streamId));
    expect(state).toMatchObject({
      status: 'open',
      customerId: null,
      owner: 'Before Customers',
      balanceCents: 700,
      accountNumber: legacyAccountNumber(accountId),
    });
    const attempt = await handleAccountCommand(
      {
        type: 'WithdrawMoney',
        data: { accountId, amountCents: 1 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(attempt).toMatchObject({ status: 'rejected', rejection: { code: 'NotOwner' } });
    expect(await db.event.count({ where: { streamId } })).toBe(2);
  });
});
