// Shared helpers for integration tests: a Prisma client on the test database and invariant checks.
import { afterAll, inject } from 'vitest';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { rehydrate } from '@/lib/accounts/stream';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { readStream } from '@/lib/event-store';
import { accountStreamId } from '@/lib/accounts/domain/account';
import { dumpTables } from '@/test/table-dump';

export function testDb(poolSize = 20): Db {
  const client = createPrismaClient(inject('databaseUrl'), poolSize);
  afterAll(() => client.$disconnect());
  return client;
}

export async function countRows(db: Db, accountId: AccountId) {
  const streamId = accountStreamId(accountId);
  const [events, commands] = await Promise.all([
    db.event.count({ where: { streamId } }),
    db.command.count({ where: { streamIds: { has: streamId } } }),
  ]);
  return { events, commands };
}

/**
 * The invariants every scenario must leave behind for one account: versions 1..n without gaps,
 * balances never negative, and both projections equal to a fresh replay of the stream.
 */
export async function expectConsistentAccount(db: Db, accountId: AccountId) {
  const events = await readStream(db, accountStreamId(accountId));
  const versions = events.map((e) => e.version);
  if (versions.some((v, i) => v !== i + 1)) throw new Error(`versions not contiguous: ${versions.join(',')}`);
  const state = rehydrate(events);
  if (state.status !== 'open') throw new Error('account not open after replay');

  const balance = await db.accountBalance.findUniqueOrThrow({ where: { accountId } });
  const replayed = { owner: state.owner, balanceCents: BigInt(state.balanceCents), version: events.length };
  const stored = { owner: balance.owner, balanceCents: balance.balanceCents, version: balance.version };
  if (JSON.stringify(stored, big) !== JSON.stringify(replayed, big)) {
    throw new Error(`balance projection ${JSON.stringify(stored, big)} != replay ${JSON.stringify(replayed, big)}`);
  }

  const rows = await db.accountTransaction.findMany({ where: { accountId }, orderBy: { version: 'asc' } });
  const kinds: Record<string, string> = {
    MoneyDeposited: 'deposit',
    MoneyWithdrawn: 'withdrawal',
    MoneyTransferredOut: 'transfer-out',
    MoneyTransferredIn: 'transfer-in',
  };
  const expected = events
    .filter((e) => e.type !== 'AccountOpened')
    .map((e) => {
      const data = e.data as {
        amountCents: number;
        balanceAfterCents: number;
        toAccountId?: string;
        fromAccountId?: string;
      };
      const counterpartyId = data.toAccountId ?? data.fromAccountId ?? null;
      return {
        version: e.version,
        kind: kinds[e.type],
        amountCents: data.amountCents,
        balanceAfterCents: data.balanceAfterCents,
        counterpartyId,
      };
    });
  const actual = rows.map((r) => ({
    version: r.version,
    kind: r.kind,
    amountCents: Number(r.amountCents),
    balanceAfterCents: Number(r.balanceAfterCents),
    counterpartyId: r.counterpartyId,
  }));
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`transaction projection differs from replay`);
  if (events.some((e) => (e.data as { balanceAfterCents?: number }).balanceAfterCents! < 0))
    throw new Error('negative balance');
  return { events, state };
}

const big = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * A database of this test file's own, migrated, on the same server; for tests that compare the
 * whole database before and after and must not see other files' writes.
 */
export async function freshDatabase(): Promise<{ url: string; ownerUrl: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const { migrate } = await import('@/lib/db/migrate');
  const { grantAppRole } = await import('@/lib/db/roles');
  const base = new URL(inject('databaseUrl'));
  const ownerBase = new URL(inject('databaseOwnerUrl'));
  const name = `idem_t_${Math.random().toString(36).slice(2, 10)}`;
  const adminUrl = new URL(ownerBase);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const ownerUrl = new URL(ownerBase);
  ownerUrl.pathname = `/${name}`;
  // The app connects as its own role (lib/db/roles.ts), unless one URL serves both (DATABASE_URL).
  if (url.username !== ownerUrl.username) await grantAppRole(ownerUrl.toString(), decodeURIComponent(url.username));
  await migrate(ownerUrl.toString());
  return {
    url: url.toString(),
    ownerUrl: ownerUrl.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Every table's rows, as text (test/table-dump.ts), so "nothing changed" can be checked exactly. */
export function snapshotTables(db: Db, ignore: Record<string, string[]> = {}): Promise<Record<string, string>> {
  return dumpTables((sql) => db.$queryRawUnsafe(sql), ignore);
}
