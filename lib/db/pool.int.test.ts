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
});
