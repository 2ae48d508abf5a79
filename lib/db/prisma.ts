import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { log } from '@/lib/observability/log';
import { singleton } from '@/lib/singleton';
import { loadConfig } from '@/lib/config';
import { guardSyncReplication } from './sync-replication';
import { fallBackToUnnamed, preparedStatements } from './prepared-statements';
import { newPool } from './pool';

export type Db = PrismaClient;

/**
 * The pg pool under each client (the adapter's): the event store runs its hot statements on it. A
 * process singleton, like the clients themselves: Next bundles this module into several chunks
 * (route handlers, server actions), and a client made by one copy must be known to the others.
 */
const poolByClient = singleton('prisma.poolByClient', () => new WeakMap<PrismaClient, pg.Pool>());

/** The pg pool the Prisma client `db` was made with: one pool, one set of connections for both. */
export function poolOf(db: PrismaClient): pg.Pool {
  const pool = poolByClient.get(db);
  if (!pool) throw new Error('This Prisma client was not made by createPrismaClient, so its pg pool is unknown');
  return pool;
}

export const isPrismaClientWithPool = (value: unknown): value is PrismaClient =>
  typeof value === 'object' && value !== null && poolByClient.has(value as PrismaClient);

const statementNames = new Map<string, string>();

/** A stable name per statement text (memoized: hashing every statement again cost measurable CPU). */
export function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `idem_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    if (statementNames.size < 10_000) statementNames.set(sql, name);
  }
  return name;
}

/** Named statements unless IDEM_PREPARED_STATEMENTS=off or a pooler refused them (./prepared-statements.ts). */
export { preparedStatements };

export function createPrismaClient(
  databaseUrl: string,
  poolSize = loadConfig().DATABASE_POOL_SIZE ?? 10,
): PrismaClient {
  const pool = newPool(
    {
      connectionString: databaseUrl,
      max: poolSize,
      // Fail fast instead of queueing forever when the database is unreachable.
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      ...(loadConfig().DATABASE_QUERY_TIMEOUT_MS ? { query_timeout: loadConfig().DATABASE_QUERY_TIMEOUT_MS } : {}),
    },
    {
      lost: (error, idle) =>
        log().warn(
          { err: { message: error.message } },
          idle ? 'idle database connection lost' : 'database connection lost',
        ),
      connected: (client) => {
        // A commit not confirmed by the synchronous standby is never a success (lib/db/sync-replication.ts).
        guardSyncReplication(client);
        fallBackToUnnamed(client);
      },
    },
  );
  pools().add(pool);
  const client = new PrismaClient({
    adapter: new PrismaPg(pool, {
      disposeExternalPool: true,
      // Named statements are parsed and planned once per connection instead of on every command
      // (measured +10–50 % commands/s, bench/RESULTS.md).
      // No name = an unnamed statement (what the adapter sends without a generator); typed as string only.
      statementNameGenerator: ((query: { sql: string }) =>
        preparedStatements() ? statementName(query.sql) : undefined) as (query: { sql: string }) => string,
    }),
  });
  poolByClient.set(client, pool);
  return client;
}

// One client (one pool) per process. Created on first use, never at import time, so `next build`
// never needs a database. The singleton survives Next's dev-mode module reloads.
// (Keyed by URL only so that tests can point a file at a database of its own.)
const clients = () => singleton('prisma.clients', () => new Map<string, PrismaClient>());
const pools = () => singleton('prisma.pools', () => new Set<pg.Pool>());

/** Connection counts of this process's open pools (for idem_db_pool_connections). */
export function poolStats(): { total: number; idle: number; waiting: number }[] {
  for (const p of pools()) if (p.ended) pools().delete(p);
  return [...pools()].map((p) => ({ total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount }));
}

/** Ends every client db() made (graceful shutdown); the next db() call would open a new pool. */
export async function disconnectAll(): Promise<void> {
  const open = [...clients().values()];
  clients().clear();
  await Promise.all(open.map((c) => c.$disconnect()));
}

export function db(): PrismaClient {
  const url = loadConfig().DATABASE_URL;
  if (!url)
    throw new Error(
      'DATABASE_URL is not set. Start the app with `npm start` (embedded PostgreSQL) or set DATABASE_URL.',
    );
  let client = clients().get(url);
  if (!client) {
    client = createPrismaClient(url);
    clients().set(url, client);
  }
  return client;
}
