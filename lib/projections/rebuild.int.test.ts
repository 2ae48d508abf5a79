import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { freshDatabase } from '@/test/db';
import { DAILY_TOTALS } from './daily-totals';
import { rebuildProjection, verifyProjection, PROJECTIONS } from './rebuild';
import { ASYNC_PROJECTIONS, catchUp } from './runner';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

let url: string;
let drop: () => Promise<void>;
let db: Db;
let client: pg.Client;
const now = new Date('2026-11-26T12:00:00.000Z');
const ids: AccountId[] = [];

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  db = createPrismaClient(url, 20);
  client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const owner of ['Rebuild A', 'Rebuild B', 'Rebuild C']) {
    const accountId = newAccountId();
    ids.push(accountId);
    await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: { accountId, accountNumber: testAccountNumber(accountId), owner, openingDepositCents: 10_000 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
    await handleAccountCommand(
      {
        type: 'WithdrawMoney',
        data: { accountId, amountCents: 1_234 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
  }
  await handleTransfer(
    {
      type: 'TransferMoney',
      data: { transferId: 't', fromAccountId: ids[0]!, toAccountId: ids[1]!, amountCents: 500, reference: 'Rebuilt' },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    },
    { db },
  );
  await catchUp(client, ASYNC_PROJECTIONS[0]!);
});
afterAll(async () => {
  await client.end();
  await db.$disconnect();
  await drop();
});

const verifyAll = async () => Promise.all(PROJECTIONS.map((name) => verifyProjection(client, name)));

describe('verify and rebuild', () => {
  it('checks and rebuilds payment references on both sides of a transfer', async () => {
    await client.query(`UPDATE account_transactions SET reference = NULL WHERE account_id = $1`, [ids[1]]);
    const [, transactions] = await verifyAll();
    expect(transactions!.differences).toEqual([
      expect.objectContaining({ kind: 'different', expected: expect.objectContaining({ reference: 'Rebuilt' }) }),
    ]);
    await rebuildProjection(client, 'account-transactions');
    const { rows } = await client.query<{ reference: string }>(
      `SELECT reference FROM account_transactions WHERE reference IS NOT NULL ORDER BY account_id`,
    );
    expect(rows.map((r) => r.reference)).toEqual(['Rebuilt', 'Rebuilt']);
  });

  it('finds nothing to report on healthy projections', async () => {
    for (const v of await verifyAll()) {
      expect(v.differences, v.projection).toEqual([]);
      expect(v.rowsChecked, v.projection).toBeGreaterThan(0);
    }
  });

  it('lists every difference of deliberately corrupted projections, and rebuild restores them', async () => {
    const before = await db.accountBalance.findMany({ orderBy: { accountId: 'asc' } });
    await client.query(`UPDATE account_balances SET balance_cents = balance_cents + 1 WHERE account_id = $1`, [ids[0]]);
    await client.query(
      `INSERT INTO account_balances (account_id, owner, balance_cents, version, opened_at, updated_at, account_number) VALUES ($1, 'Ghost', 42, 1, now(), now(), '999999999999')`,
      [randomUUID()],
    );
    await client.query(`DELETE FROM account_transactions WHERE account_id = $1 AND version = 3`, [ids[2]]);
    await client.query(`UPDATE daily_account_totals SET deposit_count = deposit_count + 5 WHERE account_id = $1`, [
      ids[1],
    ]);

    const [balances, transactions, totals] = await verifyAll();
    expect(balances!.differences.map((d) => [d.kind, d.key]).sort()).toEqual(
      [
        ['different', ids[0]],
        ['extra', expect.any(String)],
      ].sort(),
    );
    expect(balances!.differences.find((d) => d.kind === 'different')).toMatchObject({
      expected: { balanceCents: '8266' },
      actual: { balanceCents: '8267' },
    });
    expect(transactions!.differences).toEqual([
      {
        key: `${ids[2]}#3`,
        kind: 'missing',
        expected: expect.objectContaining({ kind: 'withdrawal', amountCents: '1234' }),
      },
    ]);
    expect(totals!.differences).toEqual([
      expect.objectContaining({ kind: 'different', key: expect.stringContaining(ids[1]!) }),
    ]);

    for (const name of PROJECTIONS) await rebuildProjection(client, name);
    for (const v of await verifyAll()) expect(v.differences, v.projection).toEqual([]);
    expect(await db.accountBalance.findMany({ orderBy: { accountId: 'asc' } })).toEqual(before);
  });

  it('rebuilds while the app keeps writing, missing nothing', async () => {
    const writes = Array.from({ length: 60 }, (_, i) =>
      handleAccountCommand(
        {
          type: 'DepositMoney',
          data: { accountId: ids[i % 3]!, amountCents: 100 + i },
          metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
        },
        { db },
      ),
    );
    const rebuilds = (async () => {
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      try {
        for (const name of PROJECTIONS) await rebuildProjection(other, name);
      } finally {
        await other.end();
      }
    })();
    const results = await Promise.all(writes);
    await rebuilds;
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    await catchUp(
      client,
      ASYNC_PROJECTIONS.find((p) => p.name === DAILY_TOTALS)!,
    );
    for (const v of await verifyAll()) expect(v.differences, v.projection).toEqual([]);
  });
});
