import 'server-only';
import type pg from 'pg';
import { isPrismaClientWithPool, poolOf, preparedStatements, statementName, type Db } from '@/lib/db/prisma';

// Where the engine's statements run: plain `pg` on the pool that the Prisma adapter owns (one pool,
// one set of connections for the whole app). Measured (bench/RESULTS.md): Prisma's query runtime was
// the largest item of the client's CPU per command; the engine's statements are fixed, parameterized
// SQL that needs none of it. Prisma stays the schema, migration and query layer of everything else.

/** One parameterized statement. Its text is fixed per kind of statement, so it is prepared once per connection. */
type Statement = { text: string; values: unknown[] };

/** Runs statements: on the pool (each on any connection, autocommit) or on one connection (a transaction). */
export type SqlClient = { query: <T>(statement: Statement) => Promise<T[]> };

const clients = new WeakMap<pg.Pool | pg.PoolClient, SqlClient>();

function pgSql(target: pg.Pool | pg.PoolClient): SqlClient {
  let client = clients.get(target);
  if (!client) {
    client = {
      async query<T>({ text, values }: Statement) {
        const named = preparedStatements();
        const result = await target.query(named ? { name: statementName(text), text, values } : { text, values });
        return result.rows as T[];
      },
    };
    clients.set(target, client);
  }
  return client;
}

/** Where statements for `db` run: a Prisma client's pool, or the SqlClient itself. */
export const sqlOf = (db: Db | SqlClient): SqlClient =>
  isPrismaClientWithPool(db) ? pgSql(poolOf(db)) : (db as SqlClient);

/**
 * `run` inside one transaction on one pooled connection. A connection whose ROLLBACK fails is
 * destroyed instead of going back to the pool in an unknown state.
 */
export async function inTransaction<T>(db: Db, run: (sql: SqlClient) => Promise<T>): Promise<T> {
  const connection = await poolOf(db).connect();
  let broken: Error | undefined;
  try {
    await connection.query('BEGIN');
    const result = await run(pgSql(connection));
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    await connection.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
    throw error;
  } finally {
    connection.release(broken);
  }
}
