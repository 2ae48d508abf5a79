// Blind append (a reference, not the job): Emmett's PostgreSQL event store (`appendToStream` with an
// expected version; no read, no decision) in a database of its own, with its own tables
// (emt_streams, emt_messages, …). One append is
// BEGIN; SELECT emt_append_to_stream(…); COMMIT. A wrong expected version comes back as an
// ExpectedVersionConflictError that does not carry the current version, so the writer re-reads it
// from emt_streams (one cheap indexed query) and retries with Idem's backoff.
import { isExpectedVersionConflictError } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { backoffMs, sleep } from '../measurement/closed-loop';
import type { Appender } from './job';
import { depositedData, depositMetadata, newId } from './payload';

const MAX_ATTEMPTS = 1000;

export async function prepareEmmettDatabase(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const store = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  try {
    await store.schema.migrate();
  } finally {
    await store.close();
    await pool.end().catch(() => {});
  }
}

/** Both Emmett contenders: its PostgreSQL event store on a pool of the cell's size (the schema is migrated beforehand), and how to close both. */
export function emmettStore(url: string, poolSize: number) {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const store = getPostgreSQLEventStore(url, { connectionOptions: { pool }, schema: { autoMigration: 'None' } });
  const close = async () => {
    await store.close();
    await pool.end().catch(() => {});
  };
  return { pool, store, close };
}

export function emmettAppender(url: string, poolSize: number): Appender {
  const { pool, store, close } = emmettStore(url, poolSize);
  const known = new Map<string, bigint>();
  const readVersion = async (streamId: string) => {
    const { rows } = await pool.query<{ v: string }>(
      `SELECT COALESCE((SELECT stream_position FROM emt_streams WHERE stream_id = $1 AND NOT is_archived LIMIT 1), 0)::text AS v`,
      [streamId],
    );
    return BigInt(rows[0]?.v ?? '0');
  };
  return {
    name: 'Emmett',
    async append(streamId, worker) {
      const key = `${worker} ${streamId}`;
      let conflicts = 0;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const expected = known.get(key) ?? 0n;
        const commandId = newId();
        const at = new Date().toISOString();
        try {
          const result = await store.appendToStream(
            streamId,
            [
              {
                type: 'MoneyDeposited',
                data: depositedData(streamId, Number(expected) + 1, at),
                metadata: depositMetadata(commandId),
              },
            ],
            { expectedStreamVersion: expected },
          );
          known.set(key, result.nextExpectedStreamVersion);
          return { conflicts };
        } catch (error) {
          if (!isExpectedVersionConflictError(error)) throw error;
          conflicts++;
          known.set(key, await readVersion(streamId));
          await sleep(backoffMs(attempt));
        }
      }
      return { conflicts, failed: true, busy: true };
    },
    streamLength: async (streamId) => Number(await readVersion(streamId)),
    close,
  };
}
