import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { newAccountId } from '@/lib/accounts/ids';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { VERSIONS_WRITTEN_BY, versionsWrittenBy, versionWrittenBy } from '@/lib/accounts/transaction-page';
import { db } from '@/lib/db/prisma';
import { appDatabase } from '@/test/auth';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// Which row of an account's history a command wrote (the confirmation of a transfer points at it,
// a paid standing order links to it): read through the events' command-id index. The history's rows
// name no command; the event at the same version does.

const database = appDatabase();
const now = new Date('2026-12-06T13:00:00.000Z');

async function open(): Promise<{ id: AccountId; opened: string }> {
  const id = newAccountId();
  const opened = `${CUSTOMER}:${randomUUID()}`;
  const r = await handleAccountCommand({
    type: 'OpenAccount',
    data: { accountId: id, accountNumber: testAccountNumber(id), owner: 'V', openingDepositCents: 10_000 },
    metadata: { commandId: opened, now, customerId: CUSTOMER },
  });
  expect(r.status).toBe('accepted');
  return { id, opened };
}

const historyRow = async (accountId: string, kind: string) =>
  (await db().accountTransaction.findFirst({ where: { accountId, kind }, select: { version: true } }))?.version;

describe('the version a command wrote in an account', () => {
  it('is the version of the row it wrote in that account’s history, on each side of a transfer', async () => {
    const [a, b] = [await open(), await open()];
    for (let i = 0; i < 3; i++)
      await handleAccountCommand({
        type: 'DepositMoney',
        data: { accountId: a.id, amountCents: 100 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      });
    const transfer = `${CUSTOMER}:${randomUUID()}`;
    const sent = await handleTransfer({
      type: 'TransferMoney',
      data: { transferId: randomUUID(), fromAccountId: a.id, toAccountId: b.id, amountCents: 250 },
      metadata: { commandId: transfer, now, customerId: CUSTOMER },
    });
    expect(sent.status).toBe('accepted');

    expect(await versionWrittenBy(a.id, transfer)).toBe(await historyRow(a.id, 'transfer-out'));
    expect(await versionWrittenBy(b.id, transfer)).toBe(await historyRow(b.id, 'transfer-in'));
    expect(await versionWrittenBy(a.id, transfer)).toBe(6);
    // Opening writes AccountOpened and the opening deposit: the deposit's row is the one in the history.
    expect(await versionsWrittenBy(a.id, [transfer, a.opened, 'nobody:unknown', b.opened])).toEqual(
      new Map([
        [transfer, 6],
        [a.opened, 2],
      ]),
    );
    expect(await versionWrittenBy(b.id, 'nobody:unknown')).toBeNull();
    expect(await versionsWrittenBy(b.id, [])).toEqual(new Map());
  });

  it('is read through the events’ index of their command’s key, whatever the plan, on a long history', async () => {
    const client = new pg.Client({ connectionString: database.ownerUrl });
    await client.connect();
    try {
      // One account with 20,000 movements by 20,000 commands (as a long-lived account has).
      const long = `account-${newAccountId()}`;
      await client.query(`INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
                          SELECT idem_command_key('seed-' || g), 'seed-' || g, 'DepositMoney', ARRAY['${long}'], 'f', 'accepted', '[]', now()
                            FROM generate_series(1, 20000) AS g`);
      await client.query(`INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
                          SELECT '${long}', g, 'MoneyDeposited', '{}', '{"schemaVersion": 2}', idem_command_key('seed-' || g), now()
                            FROM generate_series(1, 20000) AS g`);
      await client.query('ANALYZE events');
      await client.query(`PREPARE versions(text[], text) AS ${VERSIONS_WRITTEN_BY}`);
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        await client.query(`SET plan_cache_mode = ${mode}`);
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (COSTS OFF) EXECUTE versions('{seed-7}', '${long}')`,
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan, mode).toMatch(/events_command_key_idx/);
        expect(plan, mode).not.toMatch(/account_transactions|Seq Scan/);
      }
    } finally {
      await client.end();
    }
  });
});
