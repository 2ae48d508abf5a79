// The one way synchronous replication loses an acknowledged write: a commit whose wait for the standby
// is cancelled answers success with a WARNING. A server of this file's own (synchronous_standby_names
// names a standby that never comes, so every commit waits) shows the trap with plain `pg`, then that
// the app's pool never acknowledges such a commit, and that the same key, retried, says what committed.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { isConnectionError } from './connection-errors';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { migrate } from './migrate';
import { createPrismaClient, type Db } from './prisma';
import { CommitNotReplicated, guardSyncReplication } from './sync-replication';
import { withClient } from './with-client';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

let server: RunningPostgres;
let db: Db;
const now = new Date('2026-12-06T12:00:00.000Z');

beforeAll(async () => {
  server = await startEmbeddedPostgres({ database: 'idem_syncrep' });
  await migrate(server.ownerUrl);
  db = createPrismaClient(server.url, 4);
}, 120_000);
afterAll(async () => {
  await db?.$disconnect();
  await server?.stop();
});

const admin = <T>(run: (c: pg.Client) => Promise<T>) => withClient(server.ownerUrl, run);
const standbyRequired = (names: string) =>
  admin(async (c) => {
    await c.query(`ALTER SYSTEM SET synchronous_standby_names = ${c.escapeLiteral(names)}`);
    await c.query('SELECT pg_reload_conf()');
  });

/** Cancels the first backend waiting for the synchronous standby, once one waits. */
async function cancelSyncWait(): Promise<void> {
  await expect
    .poll(
      () =>
        admin(async (c) => {
          const { rows } = await c.query(
            `SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity WHERE wait_event = 'SyncRep' LIMIT 1`,
          );
          return rows.length;
        }),
      { timeout: 30_000, interval: 50 },
    )
    .toBe(1);
}

describe('a commit whose synchronous-replication wait is cancelled', () => {
  beforeAll(async () => {
    await admin((c) => c.query('CREATE TABLE syncrep_probe (n int)'));
    await standbyRequired('nobody');
  }, 30_000);
  afterAll(() => standbyRequired(''));

  it('plain pg reports it as a success (the trap), a guarded connection fails it with 08007', async () => {
    const plain = new pg.Client({ connectionString: server.ownerUrl });
    await plain.connect();
    const warnings: string[] = [];
    plain.on('notice', (n) => warnings.push(n.message ?? ''));
    try {
      const insert = plain.query('INSERT INTO syncrep_probe VALUES (1)');
      await cancelSyncWait();
      await expect(insert).resolves.toMatchObject({ rowCount: 1 });
      expect(warnings.join('\n')).toMatch(/canceling wait for synchronous replication/);

      guardSyncReplication(plain);
      const guarded = plain.query('INSERT INTO syncrep_probe VALUES (2)').then(
        () => null,
        (e: unknown) => e,
      );
      await cancelSyncWait();
      const error = await guarded;
      expect(error).toBeInstanceOf(CommitNotReplicated);
      expect(isConnectionError(error)).toBe(true);
      // It did commit locally: exactly what a failover could take away again.
      const { rows } = await plain.query('SELECT n FROM syncrep_probe ORDER BY n');
      expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await plain.end();
    }
  }, 60_000);

  it('the engine does not acknowledge the command; the same key, retried, replays what committed', async () => {
    await standbyRequired('');
    const accountId = newAccountId();
    const open = await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Ada', openingDepositCents: 1_000 },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
    expect(open).toMatchObject({ status: 'accepted' });
    await standbyRequired('nobody');

    const deposit = {
      type: 'DepositMoney' as const,
      data: { accountId, amountCents: 250 },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    };
    const first = handleAccountCommand(deposit, { db }).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    await cancelSyncWait();
    const answer = await first;
    expect(answer).toHaveProperty('error');
    expect(isConnectionError((answer as { error: unknown }).error)).toBe(true); // the API answers 503

    await standbyRequired('');
    const again = await handleAccountCommand(deposit, { db });
    expect(again).toMatchObject({ status: 'accepted', replayed: true, result: { balanceCents: 1_250 } });
    expect(await db.event.count({ where: { command: { commandId: deposit.metadata.commandId } } })).toBe(1);
  }, 60_000);
});
