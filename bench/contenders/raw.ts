// Blind append (a reference, not the job): plain `pg`, BEGIN; INSERT one event; COMMIT, into a
// table of exactly our shape (Idem's migrations applied to a database of its own, minus the foreign
// key to `commands`, which this contender does not write). The expected version is enforced by UNIQUE (stream_id, version), like
// Idem's: on a violation the worker re-reads the stream's version and retries with Idem's backoff.
import pg from 'pg';
import { migrate } from '../../lib/db/migrate';
import { withClient } from '../../lib/db/with-client';
import { backoffMs, sleep, type OpOutcome } from '../measurement/closed-loop';
import type { Appender } from './job';
import { depositedData, depositMetadata, newId } from './payload';
import { eventsInStream } from './seeded-pool';

export async function prepareRawDatabase(url: string): Promise<void> {
  await migrate(url);
  await withClient(url, (c) => c.query('ALTER TABLE events DROP CONSTRAINT events_command_key_fkey'));
}

const INSERT = `INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
                VALUES ($1, $2, 'MoneyDeposited', $3, $4, idem_command_key($5), $6)`;
const MAX_ATTEMPTS = 1000;

export function rawAppender(url: string, poolSize: number): Appender {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const known = new Map<string, number>(); // `${worker} ${streamId}` → last version that writer saw
  const readVersion = (streamId: string) => eventsInStream(pool, streamId);
  return {
    name: 'raw pg',
    async append(streamId, worker): Promise<OpOutcome> {
      const key = `${worker} ${streamId}`;
      let conflicts = 0;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const version = (known.get(key) ?? 0) + 1;
        const commandId = newId();
        const at = new Date();
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(INSERT, [
            streamId,
            version,
            depositedData(streamId, version, at.toISOString()),
            depositMetadata(commandId),
            commandId,
            at,
          ]);
          await client.query('COMMIT');
          client.release();
          known.set(key, version);
          return { conflicts };
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          client.release();
          if ((error as { code?: string }).code !== '23505') throw error;
          conflicts++;
          known.set(key, await readVersion(streamId));
          await sleep(backoffMs(attempt));
        }
      }
      return { conflicts, failed: true, busy: true };
    },
    streamLength: readVersion,
    close: () => pool.end(),
  };
}
