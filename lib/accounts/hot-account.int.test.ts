import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { handleAccountCommand, type AccountCommandResult } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { handleTransfer, type TransferCommandResult } from '@/lib/accounts/transfer-command';
import { poolOf } from '@/lib/db/prisma';
import { accountStreamId, type AccountCommand } from '@/lib/domain/account';
import type { AccountId } from '@/lib/domain/account-id';
import { markContended, markShared } from '@/lib/event-store/contention';
import { CUSTOMER, testAccountNumber } from '@/test/customers';
import { expectConsistentAccount, testDb } from '@/test/db';

// Issue 14 item 2: one busy account must not starve the others. Writers of a stream that another
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

async function until(condition: () => Promise<boolean>) {
  for (let i = 0; i < 3_000; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached in 30 s');
}

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
          { type: 'TransferMoney', data: { transferId: randomUUID(), fromAccountId: hot, toAccountId: targets[i % 2]!, amountCents: 100 }, metadata: meta() },
          { db },
        ).finally(() => order.push('flood')),
      );
      flood.push(handleAccountCommand({ type: 'WithdrawMoney', data: { accountId: hot, amountCents: 100 }, metadata: meta() }, { db }).finally(() => order.push('flood')));
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
        handleAccountCommand({ type: 'DepositMoney', data: { accountId, amountCents: 250 }, metadata: meta() }, { db }).finally(() => order.push('other')),
      ),
    );
    const floodAnsweredMeanwhile = order.filter((o) => o === 'flood').length;
    await holder.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [STREAM_LOCK_CLASS, hotStream]);
    await holder.end();
    const floodResults = await Promise.allSettled(flood);

    // Every other account's command succeeded, and was answered while the whole flood still waited.
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.status : String(a.reason)))).toEqual(Array(others.length).fill('accepted'));
    expect(floodAnsweredMeanwhile).toBe(0);
    // The flood itself is served once the lock is free: exactly once, in order, nothing lost.
    expect(floodResults.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason)))).toEqual(Array(flood.length).fill('accepted'));
    const { state } = await expectConsistentAccount(db, hot);
    expect(state).toMatchObject({ balanceCents: 1_000_000 - 48 * 100 });
    for (const id of [...targets, ...others]) await expectConsistentAccount(db, id);
    // The pool is whole again.
    expect(poolOf(db).waitingCount).toBe(0);
  });
});
