import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { accountStreamId, type AccountCommand, type WithdrawMoney } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { markShared } from '@/lib/event-store';
import { CUSTOMER, testAccountNumber } from '@/test/customers';
import { countRows, expectConsistentAccount, testDb } from '@/test/db';

// Group commit in one process. Commands that arrive while the process waits on the database join
// its next batch and are committed together in one statement, on any streams.
// A hot stream: the first command forms a batch; the next ones race it, and those
// that lose wait in the process's queue, are decided in sequence, then committed together in one
// statement. To see that deterministically, the test marks the stream as shared with another
// writer (so the batch takes the stream's lock) and holds that lock itself until every command
// has committed or joined the queue. Counted, never timed.

const db = testDb(40);
/** A second process, as far as the engine can tell: its own pool, its own queues. */
const other = testDb(10);
const now = new Date('2026-12-01T12:00:00.000Z');
const STREAM_LOCK_CLASS = 0x1de4;

const commits: string[] = [];
const original = pg.Client.prototype.query;
beforeAll(() => {
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const first = args[0];
    const text = typeof first === 'string' ? first : String((first as { text?: unknown } | undefined)?.text ?? '');
    if (text.startsWith('WITH new_events AS')) commits.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
});
afterAll(() => {
  pg.Client.prototype.query = original;
});

const withdrawal = (accountId: AccountId, amountCents: number, commandId: string = randomUUID()): WithdrawMoney => ({
  type: 'WithdrawMoney',
  data: { accountId, amountCents },
  metadata: { commandId, now, customerId: CUSTOMER },
});

/** Waits for a condition, not for a time (gives up after 30 s). */
const until = (condition: () => boolean) =>
  vi.waitFor(
    () => {
      if (!condition()) throw new Error('condition not reached');
    },
    { timeout: 30_000, interval: 10 },
  );

describe('a hot stream in one process', () => {
  it('queued commands are decided in sequence and committed together: exactly once, consistent, fewer commits than commands', async () => {
    const accountId = newAccountId();
    const open: AccountCommand = {
      type: 'OpenAccount',
      data: {
        accountId,
        accountNumber: testAccountNumber(accountId),
        owner: 'Hot Stream',
        openingDepositCents: 10_000,
      },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    };
    expect(await handleAccountCommand(open, { db })).toMatchObject({ status: 'accepted' });

    // As if another writer had just advanced the stream: batches take the stream's lock (which we hold).
    markShared([accountStreamId(accountId)]);
    const holder = new pg.Client({ connectionString: inject('databaseUrl') });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [
      STREAM_LOCK_CLASS,
      accountStreamId(accountId),
    ]);
    commits.length = 0;

    const withdrawals = Array.from({ length: 30 }, () => withdrawal(accountId, 100));
    const commands = [
      ...withdrawals,
      withdrawal(accountId, 100, withdrawals[0]!.metadata.commandId),
      withdrawal(accountId, 50_000),
    ];
    let settled = 0;
    let conflicts = 0;
    const running = commands.map((c) =>
      handleAccountCommand(c, { db, onConflict: () => void conflicts++ }).finally(() => void settled++),
    );
    // Every command but the first (in the batch that waits for our lock) has now committed
    // optimistically or joined the queue behind it.
    await until(() => settled + conflicts >= commands.length - 1);
    const sentBefore = commits.length;
    await holder.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [
      STREAM_LOCK_CLASS,
      accountStreamId(accountId),
    ]);
    await holder.end();
    const results = await Promise.all(running);

    const accepted = results.filter((r) => r.status === 'accepted' && !r.replayed);
    expect(accepted).toHaveLength(30);
    expect(new Set(accepted.map((r) => r.status === 'accepted' && r.result.balanceCents))).toEqual(
      new Set(Array.from({ length: 30 }, (_, i) => 9_900 - i * 100)),
    );
    expect(results[30]).toEqual({ ...results[0], replayed: !(results[0] as { replayed: boolean }).replayed });
    expect(results[31]).toMatchObject({ status: 'rejected', rejection: { code: 'InsufficientFunds' } });
    // The queued commands (every one that conflicted) went in at most two statements: the batch
    // that was waiting for the lock, and one with everyone who joined meanwhile.
    expect(conflicts).toBeGreaterThan(2);
    expect(commits.length - sentBefore).toBeLessThanOrEqual(2);
    expect(await countRows(db, accountId)).toEqual({ events: 2 + 30, commands: 1 + 30 + 1 });
    await expectConsistentAccount(db, accountId);
  });

  it('two processes on one hot stream: batches decided on a state the other moved on from fail and are decided again', async () => {
    const accountId = newAccountId();
    const open: AccountCommand = {
      type: 'OpenAccount',
      data: {
        accountId,
        accountNumber: testAccountNumber(accountId),
        owner: 'Two Processes',
        openingDepositCents: 5_000,
      },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    };
    expect(await handleAccountCommand(open, { db })).toMatchObject({ status: 'accepted' });
    let conflicts = 0;
    const onConflict = () => void conflicts++;
    // 80 withdrawals of $1 on $50, in waves from both processes so that both queues keep draining.
    const results = await Promise.all(
      Array.from({ length: 80 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, (i % 8) * 5));
        return handleAccountCommand(withdrawal(accountId, 100), { db: i % 2 === 0 ? db : other, onConflict });
      }),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(50);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(30);
    expect(conflicts).toBeGreaterThan(0);
    const { state } = await expectConsistentAccount(db, accountId);
    expect(state).toMatchObject({ balanceCents: 0 });
  });
});

async function openAccounts(n: number, cents: number): Promise<AccountId[]> {
  const ids: AccountId[] = [];
  for (let i = 0; i < n; i++) {
    const accountId = newAccountId();
    const open: AccountCommand = {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: `Group ${i}`, openingDepositCents: cents },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    };
    expect(await handleAccountCommand(open, { db })).toMatchObject({ status: 'accepted' });
    ids.push(accountId);
  }
  return ids;
}

describe('group commit across streams', () => {
  it('40 concurrent commands on 40 accounts: two statements (the two batch slots share them)', async () => {
    const accounts = await openAccounts(40, 1_000);
    commits.length = 0;
    const results = await Promise.all(accounts.map((id) => handleAccountCommand(withdrawal(id, 300), { db })));
    expect(results.every((r) => r.status === 'accepted' && !r.replayed && r.result.balanceCents === 700)).toBe(true);
    expect(commits).toHaveLength(2);
    for (const id of accounts) await expectConsistentAccount(db, id);
  });

  it('a command that fails in a batch fails alone: its neighbours are retried on their own and land', async () => {
    const accounts = await openAccounts(10, 1_000);
    // A command id longer than the column (320): PostgreSQL refuses the whole statement.
    const poison = withdrawal(accounts[0]!, 100, 'x'.repeat(400));
    const commands = [...accounts.map((id) => withdrawal(id, 100)), poison];
    const settled = await Promise.allSettled(commands.map((c) => handleAccountCommand(c, { db })));
    expect(settled.slice(0, 10).map((s) => s.status === 'fulfilled' && s.value.status)).toEqual(
      Array(10).fill('accepted'),
    );
    expect(settled[10]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: '22001' }) });
    for (const id of accounts) await expectConsistentAccount(db, id);
    expect((await countRows(db, accounts[0]!)).events).toBe(3);
  });
});
