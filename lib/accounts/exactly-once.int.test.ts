import { commandKeyOf } from '@/lib/event-store';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand, type AccountCommandResult } from '@/lib/accounts/account-commands';
import type { AccountCommand, WithdrawMoney } from '@/lib/accounts/domain/account';
import { countRows, expectConsistentAccount, testDb } from '@/test/db';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

const db = testDb(20);
const now = new Date('2026-11-26T12:00:00.000Z');

async function openAccount(openingDepositCents: number) {
  const accountId = newAccountId();
  const result = await handleAccountCommand(
    {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Grace Hopper', openingDepositCents },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    },
    { db },
  );
  expect(result).toMatchObject({ status: 'accepted', replayed: false });
  return accountId;
}

const withdrawal = (accountId: AccountId, amountCents: number, commandId: string = randomUUID()): WithdrawMoney => ({
  type: 'WithdrawMoney',
  data: { accountId, amountCents },
  metadata: { commandId, now, customerId: CUSTOMER },
});

const strip = (r: AccountCommandResult) => ({ ...r, replayed: undefined });

describe('handling the same withdrawal many times', () => {
  it('50 concurrent handlers of one command id → one event, one command row, 50 equal outcomes', async () => {
    const accountId = await openAccount(20_000);
    const command = withdrawal(accountId, 1_000);
    const results = await Promise.all(Array.from({ length: 50 }, () => handleAccountCommand(command, { db })));

    expect(results.filter((r) => !('replayed' in r) || !r.replayed)).toHaveLength(1);
    for (const r of results) expect(strip(r)).toEqual(strip(results[0]!));
    expect(results[0]).toMatchObject({
      status: 'accepted',
      result: { accountId, amountCents: 1_000, balanceCents: 19_000, version: 3 },
    });

    const events = await db.event.findMany({ where: { command: { commandId: command.metadata.commandId } } });
    expect(events.map((e) => e.type)).toEqual(['MoneyWithdrawn']);
    expect(
      await db.commandReplay.findUniqueOrThrow({ where: { commandKey: commandKeyOf(command.metadata.commandId) } }),
    ).toMatchObject({
      replayCount: 49,
    });
    await expectConsistentAccount(db, accountId);
  });

  it('a later duplicate (after other commands advanced the stream) replays the original outcome', async () => {
    const accountId = await openAccount(5_000);
    const first = await handleAccountCommand(withdrawal(accountId, 1_000, 'retry-key-' + accountId), { db });
    await handleAccountCommand(withdrawal(accountId, 500), { db });
    const again = await handleAccountCommand(withdrawal(accountId, 1_000, 'retry-key-' + accountId), { db });
    expect(again).toEqual({ ...first, replayed: true });
    expect((await countRows(db, accountId)).events).toBe(4);
  });
});

describe('different withdrawals racing on one account', () => {
  it('50 concurrent withdrawals of $10 on $200 → exactly 20 accepted, 30 insufficient funds, balance $0', async () => {
    const accountId = await openAccount(20_000);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => handleAccountCommand(withdrawal(accountId, 1_000), { db })),
    );

    const accepted = results.filter((r) => r.status === 'accepted');
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(accepted).toHaveLength(20);
    expect(rejected).toHaveLength(30);
    for (const r of rejected)
      expect(r).toMatchObject({ rejection: { code: 'InsufficientFunds', requestedCents: 1_000 } });
    expect(new Set(accepted.map((r) => r.status === 'accepted' && r.result.balanceCents)).size).toBe(20);

    const { events, state } = await expectConsistentAccount(db, accountId);
    expect(state).toMatchObject({ balanceCents: 0 });
    expect(events.filter((e) => e.type === 'MoneyWithdrawn')).toHaveLength(20);
    expect(await db.command.count({ where: { streamIds: { has: `account-${accountId}` } } })).toBe(51);
  });

  it('answers "busy" instead of failing when retries run out', async () => {
    const accountId = await openAccount(100_000);
    const noRetry = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => handleAccountCommand(withdrawal(accountId, 100), { db, retry: noRetry })),
    );
    const busy = results.filter((r) => r.status === 'busy');
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]).toMatchObject({ status: 'busy', attempts: 1 });
    // A busy command wrote nothing, so its key is still free for a retry.
    const accepted = results.filter((r) => r.status === 'accepted').length;
    expect((await countRows(db, accountId)).commands).toBe(1 + accepted);
    await expectConsistentAccount(db, accountId);
  });
});

describe('rejections and key reuse', () => {
  it('records a rejected withdrawal and replays the same rejection even after the money arrives', async () => {
    const accountId = await openAccount(500);
    const command = withdrawal(accountId, 1_000);
    const first = await handleAccountCommand(command, { db });
    expect(first).toEqual({
      status: 'rejected',
      rejection: { code: 'InsufficientFunds', accountId, balanceCents: 500, requestedCents: 1_000 },
      commandId: command.metadata.commandId,
      replayed: false,
    });
    await handleAccountCommand(
      {
        type: 'DepositMoney',
        data: { accountId, amountCents: 5_000 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(await handleAccountCommand(command, { db })).toEqual({ ...first, replayed: true });
    expect(await db.event.count({ where: { command: { commandId: command.metadata.commandId } } })).toBe(0);
  });

  it('rejects the same command id with a different amount as key reuse and writes nothing', async () => {
    const accountId = await openAccount(10_000);
    const command = withdrawal(accountId, 1_000);
    await handleAccountCommand(command, { db });
    const before = await countRows(db, accountId);
    const reused = await handleAccountCommand({ ...command, data: { ...command.data, amountCents: 2_000 } }, { db });
    expect(reused).toEqual({
      status: 'key-reused',
      commandId: command.metadata.commandId,
      originalType: 'WithdrawMoney',
    });
    expect(await countRows(db, accountId)).toEqual(before);
    await expectConsistentAccount(db, accountId);
  });

  it('rejects a key reused for a different kind of command', async () => {
    const accountId = await openAccount(10_000);
    const command = withdrawal(accountId, 1_000);
    await handleAccountCommand(command, { db });
    const asDeposit: AccountCommand = { type: 'DepositMoney', data: command.data, metadata: command.metadata };
    expect(await handleAccountCommand(asDeposit, { db })).toMatchObject({
      status: 'key-reused',
      originalType: 'WithdrawMoney',
    });
  });

  it('rejects commands on an account that does not exist, and records that outcome', async () => {
    const command = withdrawal(newAccountId(), 100);
    const first = await handleAccountCommand(command, { db });
    expect(first).toMatchObject({ status: 'rejected', rejection: { code: 'AccountNotFound' } });
    expect(await handleAccountCommand(command, { db })).toEqual({ ...first, replayed: true });
  });

  it('retrying OpenAccount with the same key returns the first account, not a second one', async () => {
    const commandId = randomUUID();
    const open = (accountId: AccountId): AccountCommand => ({
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Alan Turing', openingDepositCents: 100 },
      metadata: { commandId, now, customerId: CUSTOMER },
    });
    const first = await handleAccountCommand(open(newAccountId()), { db });
    const retry = await handleAccountCommand(open(newAccountId()), { db });
    expect(retry).toEqual({ ...first, replayed: true });
    expect(await db.command.count({ where: { commandId } })).toBe(1);
    expect(await db.event.count({ where: { command: { commandId } } })).toBe(2);
  });
});
