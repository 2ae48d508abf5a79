import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it, vi } from 'vitest';
import { handleAccountCommand, type AccountCommandResult } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { handleTransfer, type TransferCommandResult } from '@/lib/accounts/transfer-command';
import { poolOf } from '@/lib/db/prisma';
import { accountStreamId, type AccountCommand } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import {
  MAX_BATCH,
  MAX_WAITING_PER_STREAM,
  queueSize,
  markContended,
  markShared,
  streamsInTurn,
} from '@/lib/event-store';
import { CUSTOMER, testAccountNumber } from '@/test/customers';
import { expectConsistentAccount, testDb } from '@/test/db';

// One busy account must not starve the others. Writers of a stream that another
// writer holds wait for its lock; if each of them waited holding a pooled connection, a flood on one
// account would take the whole pool and every other account's command would wait for a connection
// (and fail with a 503 after the pool's timeout). Deterministic: the test holds the hot stream's
// lock itself (as a slow writer in another process would) until the other accounts' commands have
// been answered, so those answers come while every command of the flood is still waiting. Ordered,
// never timed.

/** A small pool, as on an instance whose pool is mostly in use. */
const POOL = 4;
const db = testDb(POOL);
const now = new Date('2026-12-01T12:00:00.000Z');
const STREAM_LOCK_CLASS = 0x1de4;

async function open(openingDepositCents: number): Promise<AccountId> {
  const accountId = newAccountId();
  const command: AccountCommand = {
    type: 'OpenAccount',
    data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Hot Account', openingDepositCents },
    metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
  };
  expect(await handleAccountCommand(command, { db })).toMatchObject({ status: 'accepted' });
  return accountId;
}

const meta = () => ({ commandId: randomUUID(), now, customerId: CUSTOMER });

/** Waits for a condition, not for a time (gives up after 30 s). */
const until = (condition: () => Promise<boolean>) =>
  vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error('condition not reached');
    },
    { timeout: 30_000, interval: 10 },
  );

describe('a flood on one account', () => {
  it("leaves other accounts' commands untouched: all succeed, answered while the flood still waits", async () => {
    const hot = await open(1_000_000);
    const targets = [await open(0), await open(0)];
    const others = await Promise.all(Array.from({ length: 8 }, () => open(1_000)));
    const hotStream = accountStreamId(hot);

    // The hot account conflicted moments ago and another writer holds its lock: its transfers go
    // straight to the lock, its withdrawals queue on it.
    markContended([hotStream]);
    markShared([hotStream]);
    const holder = new pg.Client({ connectionString: inject('databaseUrl') });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [STREAM_LOCK_CLASS, hotStream]);

    const order: string[] = [];
    const flood: Promise<AccountCommandResult | TransferCommandResult>[] = [];
    for (let i = 0; i < 24; i++) {
      flood.push(
        handleTransfer(
          {
            type: 'TransferMoney',
            data: { transferId: randomUUID(), fromAccountId: hot, toAccountId: targets[i % 2]!, amountCents: 100 },
            metadata: meta(),
          },
          { db },
        ).finally(() => order.push('flood')),
      );
      flood.push(
        handleAccountCommand(
          { type: 'WithdrawMoney', data: { accountId: hot, amountCents: 100 }, metadata: meta() },
          { db },
        ).finally(() => order.push('flood')),
      );
    }
    // The flood is in place once one of its commands waits in PostgreSQL for the hot stream's lock
    // (the others, started in the same turn of the event loop, are waiting too by then).
    await until(async () => {
      const { rows } = await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1
           AND objid::bigint = (hashtext($2)::bigint + 4294967296) % 4294967296`,
        [STREAM_LOCK_CLASS, hotStream],
      );
      return rows[0]!.n > 0;
    });

    const answers = await Promise.allSettled(
      others.map((accountId) =>
        handleAccountCommand(
          { type: 'DepositMoney', data: { accountId, amountCents: 250 }, metadata: meta() },
          { db },
        ).finally(() => order.push('other')),
      ),
    );
    const floodAnsweredMeanwhile = order.filter((o) => o === 'flood').length;
    await holder.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [STREAM_LOCK_CLASS, hotStream]);
    await holder.end();
    const floodResults = await Promise.allSettled(flood);

    // Every other account's command succeeded, and was answered while the whole flood still waited.
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.status : String(a.reason)))).toEqual(
      Array(others.length).fill('accepted'),
    );
    expect(floodAnsweredMeanwhile).toBe(0);
    // The flood itself is served once the lock is free: exactly once, in order, nothing lost.
    expect(floodResults.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason)))).toEqual(
      Array(flood.length).fill('accepted'),
    );
    const { state } = await expectConsistentAccount(db, hot);
    expect(state).toMatchObject({ balanceCents: 1_000_000 - 48 * 100 });
    for (const id of [...targets, ...others]) await expectConsistentAccount(db, id);
    // The pool is whole again, and nothing is kept for the streams once they are quiet.
    expect(poolOf(db).waitingCount).toBe(0);
    expect(streamsInTurn(db)).toBe(0);
    expect(queueSize(db).waiting).toBe(0);
  });

  it("a hot stream's batch waits for its lock without other accounts' commands that arrived with it", async () => {
    const hot = await open(1_000_000);
    const others = await Promise.all(Array.from({ length: 8 }, () => open(1_000)));
    const hotStream = accountStreamId(hot);
    // Another writer advanced the hot stream moments ago and holds its lock: its batch must wait
    // (and, the stream being hot, its commands queue rather than race).
    markContended([hotStream]);
    markShared([hotStream]);
    const holder = await holdLock(hotStream);

    const order: string[] = [];
    const onConflict = () => void order.push('conflict');
    const flood: Promise<AccountCommandResult>[] = [];
    const answers: Promise<AccountCommandResult>[] = [];
    // They arrive together (one turn of the event loop): the same batch, if streams were mixed.
    for (let i = 0; i < 16; i++) {
      flood.push(
        handleAccountCommand(
          { type: 'WithdrawMoney', data: { accountId: hot, amountCents: 100 }, metadata: meta() },
          { db, onConflict },
        ).finally(() => order.push('flood')),
      );
      const other = others[i % others.length]!;
      if (i < others.length)
        answers.push(
          handleAccountCommand(
            { type: 'DepositMoney', data: { accountId: other, amountCents: 250 }, metadata: meta() },
            { db, onConflict },
          ).finally(() => order.push('other')),
        );
    }
    const results = await Promise.allSettled(answers);
    const beforeLastOther = [...order];
    await releaseLock(holder, hotStream);
    const floodResults = await Promise.allSettled(flood);

    expect(results.map((a) => (a.status === 'fulfilled' ? a.value.status : String(a.reason)))).toEqual(
      Array(others.length).fill('accepted'),
    );
    // Answered while the hot batch still waited: nothing of it answered, and no lock wait gave up first.
    expect(beforeLastOther).toEqual(Array(others.length).fill('other'));
    expect(floodResults.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason)))).toEqual(
      Array(flood.length).fill('accepted'),
    );
    await expectConsistentAccount(db, hot);
  });

  it('one account cannot fill the queue: past its bound its commands are answered busy at once, others still go', async () => {
    const hot = await open(1_000_000);
    const other = await open(1_000);
    const hotStream = accountStreamId(hot);
    markContended([hotStream]);
    markShared([hotStream]);
    const holder = await holdLock(hotStream);
    const withdraw = () =>
      handleAccountCommand(
        { type: 'WithdrawMoney', data: { accountId: hot, amountCents: 100 }, metadata: meta() },
        { db },
      );
    // One batch waits for the lock, and behind it as many commands as one stream may queue.
    const flood = Array.from({ length: MAX_WAITING_PER_STREAM }, withdraw);
    await until(async () => queueSize(db).waiting === MAX_WAITING_PER_STREAM - MAX_BATCH);
    flood.push(...Array.from({ length: MAX_BATCH }, withdraw));
    await until(async () => queueSize(db).waiting === MAX_WAITING_PER_STREAM);

    let excessAnswered = false;
    const excess = withdraw().finally(() => (excessAnswered = true));
    const answer = await handleAccountCommand(
      { type: 'DepositMoney', data: { accountId: other, amountCents: 250 }, metadata: meta() },
      { db },
    );
    const excessFirst = excessAnswered;
    await releaseLock(holder, hotStream);

    expect(answer).toMatchObject({ status: 'accepted' });
    expect(excessFirst).toBe(true);
    expect(await excess).toMatchObject({ status: 'busy' });
    const results = await Promise.all(flood);
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(flood.length);
    // Nothing stays behind in the queue.
    expect(queueSize(db).waiting).toBe(0);
    await expectConsistentAccount(db, hot);
  });
});

async function holdLock(streamId: string): Promise<pg.Client> {
  const holder = new pg.Client({ connectionString: inject('databaseUrl') });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [STREAM_LOCK_CLASS, streamId]);
  return holder;
}

async function releaseLock(holder: pg.Client, streamId: string) {
  await holder.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [STREAM_LOCK_CLASS, streamId]);
  await holder.end();
}
