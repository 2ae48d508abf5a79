import { commandKeyOf } from '@/lib/event-store';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import type { WriteConflict } from '@/lib/event-store';
import type { TransferMoney } from '@/lib/accounts/domain/transfer';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { checkInvariants } from '@/test/invariants';
import { expectConsistentAccount, freshDatabase } from '@/test/db';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// A database of this file's own, so the whole-ledger invariant checker sees only these commands.
let db: Db;
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  db = createPrismaClient(url, 20);
});
afterAll(async () => {
  await db.$disconnect();
  await drop();
});
const now = new Date('2026-11-26T12:00:00.000Z');

async function open(openingDepositCents: number) {
  const accountId = newAccountId();
  await handleAccountCommand(
    {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'T', openingDepositCents },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    },
    { db },
  );
  return accountId;
}

const transfer = (
  fromAccountId: AccountId,
  toAccountId: AccountId,
  amountCents: number,
  commandId: string = randomUUID(),
): TransferMoney => ({
  type: 'TransferMoney',
  data: { transferId: randomUUID(), fromAccountId, toAccountId, amountCents },
  metadata: { commandId, now, customerId: CUSTOMER },
});

describe('transfers', () => {
  it('moves money between two accounts in one commit: both events, both projections', async () => {
    const [a, b] = [await open(10_000), await open(500)];
    const command = transfer(a, b, 2_500);
    const result = await handleTransfer(command, { db });
    expect(result).toEqual({
      status: 'accepted',
      replayed: false,
      commandId: command.metadata.commandId,
      result: {
        transferId: command.data.transferId,
        fromAccountId: a,
        toAccountId: b,
        toAccountNumber: testAccountNumber(b),
        amountCents: 2_500,
        fromBalanceCents: 7_500,
        toBalanceCents: 3_000,
      },
    });
    const events = await db.event.findMany({
      where: { command: { commandId: command.metadata.commandId } },
      orderBy: { globalPosition: 'asc' },
    });
    expect(events.map((e) => [e.streamId, e.type]).sort()).toEqual(
      [
        [`account-${a}`, 'MoneyTransferredOut'],
        [`account-${b}`, 'MoneyTransferredIn'],
      ].sort(),
    );
    expect(
      await db.command.findUniqueOrThrow({ where: { commandKey: commandKeyOf(command.metadata.commandId) } }),
    ).toMatchObject({
      streamIds: [`account-${a}`, `account-${b}`],
    });
    const [sa, sb] = [await expectConsistentAccount(db, a), await expectConsistentAccount(db, b)];
    expect([sa.state, sb.state]).toMatchObject([{ balanceCents: 7_500 }, { balanceCents: 3_000 }]);
    // Its history rows: those at the versions of its events (the rows name no command).
    const rows = await db.accountTransaction.findMany({
      where: { OR: events.map((e) => ({ accountId: e.streamId.slice('account-'.length), version: e.version })) },
      orderBy: { kind: 'asc' },
    });
    expect(rows.map((r) => [r.kind, r.counterpartyId])).toEqual([
      ['transfer-in', a],
      ['transfer-out', b],
    ]);
  });

  it('a duplicate key (concurrently and later) gives exactly one pair of events', async () => {
    const [a, b] = [await open(10_000), await open(0)];
    const command = transfer(a, b, 1_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => handleTransfer(command, { db })));
    expect(results.filter((r) => 'replayed' in r && !r.replayed)).toHaveLength(1);
    expect(await handleTransfer(command, { db })).toEqual({
      ...results.find((r) => 'replayed' in r && !r.replayed),
      replayed: true,
    });
    expect(await db.event.count({ where: { command: { commandId: command.metadata.commandId } } })).toBe(2);
  });

  it('records rejections: same account, unknown accounts, insufficient funds', async () => {
    const [a, b] = [await open(1_000), await open(0)];
    const unknown = newAccountId();
    expect(await handleTransfer(transfer(a, a, 1), { db })).toMatchObject({
      status: 'rejected',
      rejection: { code: 'SameAccount' },
    });
    expect(await handleTransfer(transfer(unknown, b, 1), { db })).toMatchObject({
      status: 'rejected',
      rejection: { code: 'AccountNotFound', accountId: unknown },
    });
    expect(await handleTransfer(transfer(a, unknown, 1), { db })).toMatchObject({
      status: 'rejected',
      rejection: { code: 'AccountNotFound', accountId: unknown },
    });
    const tooMuch = transfer(a, b, 1_001);
    const rejected = await handleTransfer(tooMuch, { db });
    expect(rejected).toMatchObject({
      status: 'rejected',
      rejection: { code: 'InsufficientFunds', balanceCents: 1_000, requestedCents: 1_001 },
    });
    expect(await handleTransfer(tooMuch, { db })).toEqual({ ...rejected, replayed: true });
    expect(await db.event.count({ where: { streamId: { in: [`account-${a}`, `account-${b}`] } } })).toBe(3);
  });

  it('100 concurrent transfers both ways plus withdrawals on both: money conserved, no deadlock', async () => {
    const [a, b] = [await open(50_000), await open(50_000)];
    const conflicts: WriteConflict[] = [];
    const onConflict = (c: WriteConflict) => conflicts.push(c);
    const transfers = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0 ? transfer(a, b, 700 + i) : transfer(b, a, 900 + i),
    );
    const withdrawals = Array.from({ length: 20 }, (_, i) => ({
      type: 'WithdrawMoney' as const,
      data: { accountId: i % 2 === 0 ? a : b, amountCents: 3_000 },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    }));
    const results = await Promise.all([
      ...transfers.map((t) => handleTransfer(t, { db, onConflict })),
      ...withdrawals.map((w) => handleAccountCommand(w, { db, onConflict })),
    ]);

    expect(results.filter((r) => r.status === 'busy' || r.status === 'key-reused')).toEqual([]);
    expect(conflicts.filter((c) => c.kind === 'deadlock')).toEqual([]);
    expect(conflicts.length).toBeGreaterThan(0); // the race was real

    const [sa, sb] = [await expectConsistentAccount(db, a), await expectConsistentAccount(db, b)];
    const withdrawn = results
      .slice(100)
      .reduce((sum, r) => sum + (r.status === 'accepted' && 'amountCents' in r.result ? r.result.amountCents : 0), 0);
    const balance = (s: typeof sa.state) => (s.status === 'open' ? s.balanceCents : NaN);
    expect(balance(sa.state) + balance(sb.state)).toBe(100_000 - withdrawn);
    const commandIds = [...transfers, ...withdrawals].map((c) => c.metadata.commandId);
    expect(await db.command.count({ where: { commandId: { in: commandIds } } })).toBe(120);
    for (const t of transfers) {
      const n = await db.event.count({ where: { command: { commandId: t.metadata.commandId } } });
      const accepted = results[transfers.indexOf(t)]!.status === 'accepted';
      expect(n).toBe(accepted ? 2 : 0);
    }
    // The same whole-ledger checker the cluster storms use: contiguous versions, one commit per
    // command, both sides of every transfer, balances never negative, projections equal a replay.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const report = await checkInvariants(client, [], { allowUnobservedCommands: true });
      expect(report.events).toBeGreaterThan(100);
    } finally {
      await client.end();
    }
  });
});
