// The prologue the hand-written contenders share: a pg pool of the cell's size, the benchmark's
// accounts seeded straight into Idem's tables (no command path to measure there), the stream length
// read from `events`, and the pool closed at the end. Each contender adds only its `append`.
import pg from 'pg';
import type { AccountId } from '../../lib/accounts/domain/account-id';
import { accountBook, BENCH_CUSTOMER, OPENING_DEPOSIT_CENTS, type Appender } from './job';
import { newId } from './payload';
import { streamIs } from '../../lib/event-store/storage';
import { seedAccount } from './seed';

/** Events in `streamId` on Idem's `events` table. */
export async function eventsInStream(pool: pg.Pool, streamId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT COALESCE(max(version), 0)::int AS n FROM events WHERE ${streamIs('stream_id', '$1')}`,
    [streamId],
  );
  return rows[0]?.n ?? 0;
}

export function seededPool(url: string, poolSize: number) {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const accounts = accountBook();
  const common: Omit<Appender, 'name' | 'append'> = {
    async open(key) {
      const accountId = newId() as AccountId;
      await seedAccount(pool, accountId, OPENING_DEPOSIT_CENTS, BENCH_CUSTOMER);
      accounts.set(key, accountId);
    },
    streamLength: (key) => eventsInStream(pool, `account-${accounts.of(key)}`),
    close: () => pool.end(),
  };
  return { pool, accounts, common };
}
