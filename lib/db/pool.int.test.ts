// A connection the server ends is reported, never an uncaught exception: a client checked out of a
// pool (between two statements) and an idle one, both terminated with pg_terminate_backend. Without
// newPool's listener on checked-out clients the first case stops the process (Vitest fails the run
// on the uncaught error).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase } from '@/test/db';
import { newPool } from './pool';

let url: string;
let ownerUrl: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, ownerUrl, drop } = await freshDatabase());
});
afterAll(async () => {
  await drop?.();
});

const terminate = async (pid: number) => {
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
};

describe('newPool', () => {
  it('reports a checked-out connection the server ended; its next query fails, the pool goes on', async () => {
    const lost: boolean[] = [];
    const connected = vi.fn();
    const pool = newPool({ connectionString: url, max: 2 }, { lost: (_, idle) => lost.push(idle), connected });
    const client = await pool.connect();
    try {
      expect(connected).toHaveBeenCalledTimes(1);
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await terminate(pid);
      // The server's FATAL message and the closed socket may each be reported: checked out, never idle.
      await vi.waitFor(() => expect(lost.length).toBeGreaterThan(0));
      expect(lost.every((idle) => !idle)).toBe(true);
      await expect(client.query('SELECT 1')).rejects.toThrow();
    } finally {
      client.release(true);
    }
    try {
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('reports an idle connection the server ended', async () => {
    const lost: boolean[] = [];
    const pool = newPool({ connectionString: url, max: 1 }, { lost: (_, idle) => lost.push(idle) });
    try {
      const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await terminate(pid);
      await vi.waitFor(() => expect(lost).toContain(true));
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('a statement the server refused keeps its session (pg-pool alone would close it); a read-only one or a lost connection is replaced', async () => {
    const pool = newPool({ connectionString: ownerUrl, max: 1 }); // the owner may create a temporary table
    const backend = async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    try {
      await pool.query('CREATE TEMP TABLE once (id int PRIMARY KEY)');
      await pool.query('INSERT INTO once VALUES (1)');
      const first = await backend();
      // A unique violation (how the engine learns of a write conflict), through the promise form…
      await expect(pool.query('INSERT INTO once VALUES (1)')).rejects.toMatchObject({ code: '23505' });
      expect(await backend()).toBe(first);
      // …and through the callback form (pg-pool's, which the Prisma adapter and pg's own helpers use).
      const error = await new Promise<Error | undefined>((resolve) =>
        pool.query('SELECT 1 / 0', [], (e?: Error) => resolve(e)),
      );
      expect(error).toMatchObject({ code: '22012' });
      expect(await backend()).toBe(first);
      // The temporary table lives as long as the session: still there.
      expect((await pool.query('SELECT count(*)::int AS n FROM once')).rows[0]).toEqual({ n: 1 });
      // A session that answers read-only (a standby, reached during a failover) is not given back…
      await pool.query('SET default_transaction_read_only = on');
      await expect(pool.query('CREATE TABLE read_only_probe (n int)')).rejects.toMatchObject({ code: '25006' });
      const second = await backend();
      expect(second).not.toBe(first);
      // …nor one the server ends mid-statement: the next statement gets a new one.
      await expect(pool.query('SELECT pg_terminate_backend(pg_backend_pid())')).rejects.toThrow();
      expect(await backend()).not.toBe(second);
    } finally {
      await pool.end();
    }
  });
});
