import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH_CHANNEL, createVerdictCache, type VerdictCache } from '@/lib/auth/verdict-cache';
import { freshDatabase } from '@/test/db';

// The verdict cache against real PostgreSQL: what it remembers, what makes it forget (the triggers of
// migration 20261207040000 and a lost LISTEN connection), and what must not (bookkeeping writes).

let url: string;
let drop: () => Promise<void>;
let sql: pg.Client;
let cache: VerdictCache;

beforeAll(async () => {
  const fresh = await freshDatabase();
  url = fresh.url;
  drop = fresh.drop;
  sql = new pg.Client({ connectionString: fresh.ownerUrl });
  await sql.connect();
  await sql.query(`INSERT INTO users (id, name, email, updated_at) VALUES ('u1', 'Ann', 'ann@example.test', now())`);
  await sql.query(
    `INSERT INTO api_keys (id, reference_id, key, created_at, updated_at) VALUES ('k1', 'u1', 'hash-1', now(), now())`,
  );
  await sql.query(
    `INSERT INTO sessions (id, token, user_id, expires_at, updated_at) VALUES ('s1', 'tok-1', 'u1', now() + interval '1 hour', now())`,
  );
  cache = createVerdictCache(url, 30);
});
afterAll(async () => {
  await cache?.close();
  await sql?.end();
  await drop?.();
});

/** A loader that counts its calls. */
function counted(value = 'verdict') {
  const calls = { n: 0 };
  const load = async () => {
    calls.n++;
    return { value, until: Date.now() + 60_000 };
  };
  return { calls, load };
}

/** Runs `write`, then a marker notification; returns the payloads of idem_auth that arrived before the marker. */
async function notificationsOf(write: () => Promise<unknown>): Promise<string[]> {
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  const seen: string[] = [];
  listener.on('notification', (m) => m.channel === AUTH_CHANNEL && seen.push(m.payload ?? ''));
  await listener.query(`LISTEN ${AUTH_CHANNEL}`);
  await write();
  await sql.query(`SELECT pg_notify($1, 'marker')`, [AUTH_CHANNEL]);
  await vi.waitFor(() => expect(seen).toContain('marker'));
  await listener.end();
  return seen.slice(0, seen.indexOf('marker'));
}

describe('verdict cache', () => {
  it('remembers nothing until its LISTEN connection is up, then answers from memory', async () => {
    const { calls, load } = counted();
    expect(await cache.remember('a', load)).toBe('verdict');
    await vi.waitFor(() => expect(cache.listening).toBe(true));
    await cache.remember('a', load);
    await cache.remember('a', load);
    await cache.remember('a', load);
    expect(calls.n).toBe(2); // the one before LISTEN, then one read kept for the next two
  });

  it('forgets everything when a key is revoked, a session deleted or a customer disabled', async () => {
    for (const revoke of [
      `UPDATE api_keys SET enabled = false WHERE id = 'k1'`,
      `UPDATE users SET banned = true WHERE id = 'u1'`,
      `DELETE FROM sessions WHERE id = 's1'`,
      `DELETE FROM api_keys WHERE id = 'k1'`,
    ]) {
      const { calls, load } = counted();
      await cache.remember(revoke, load);
      await cache.remember(revoke, load);
      expect(calls.n, revoke).toBe(1);
      const before = cache.invalidations;
      await sql.query(revoke);
      await vi.waitFor(() => expect(cache.invalidations).toBeGreaterThan(before));
      await cache.remember(revoke, load);
      expect(calls.n, revoke).toBe(2);
    }
  });

  it('the triggers stay silent for bookkeeping: a key used, a session refreshed later', async () => {
    await sql.query(`INSERT INTO users (id, name, email, updated_at) VALUES ('u2', 'Bo', 'bo@example.test', now())`);
    await sql.query(
      `INSERT INTO api_keys (id, reference_id, key, created_at, updated_at) VALUES ('k2', 'u2', 'hash-2', now(), now())`,
    );
    await sql.query(
      `INSERT INTO sessions (id, token, user_id, expires_at, updated_at) VALUES ('s2', 'tok-2', 'u2', now() + interval '1 hour', now())`,
    );
    const quiet = await notificationsOf(async () => {
      await sql.query(
        `UPDATE api_keys SET last_request = now(), request_count = 7, updated_at = now() WHERE id = 'k2'`,
      );
      await sql.query(
        `UPDATE sessions SET expires_at = expires_at + interval '1 minute', updated_at = now() WHERE id = 's2'`,
      );
      await sql.query(`UPDATE users SET updated_at = now(), email_verified = true WHERE id = 'u2'`);
    });
    expect(quiet).toEqual([]);
    const loud = await notificationsOf(() =>
      sql.query(`UPDATE sessions SET expires_at = expires_at - interval '1 minute' WHERE id = 's2'`),
    );
    expect(loud).toEqual(['sessions']);
  });

  it('requests that miss together share one read; one that comes after a revocation reads again', async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const calls = { n: 0 };
    const load = async () => {
      const n = ++calls.n;
      await gate;
      return { value: `read ${n}`, until: Date.now() + 60_000 };
    };
    const together = Array.from({ length: 10 }, () => cache.remember('e', load));
    const before = cache.invalidations;
    await sql.query(`UPDATE users SET role = 'customer' WHERE id = 'u2'`);
    await vi.waitFor(() => expect(cache.invalidations).toBeGreaterThan(before));
    const after = cache.remember('e', load);
    open();
    expect(await Promise.all(together)).toEqual(Array.from({ length: 10 }, () => 'read 1'));
    expect(await after).toBe('read 2');
    expect(calls.n).toBe(2);
  });

  it('a verdict read while a revocation arrived is not kept', async () => {
    const { calls, load } = counted();
    const before = cache.invalidations;
    await cache.remember('c', async () => {
      await sql.query(`UPDATE users SET role = 'admin' WHERE id = 'u2'`);
      await vi.waitFor(() => expect(cache.invalidations).toBeGreaterThan(before));
      return load();
    });
    await cache.remember('c', load);
    expect(calls.n).toBe(2);
  });

  it('a lost LISTEN connection forgets everything and remembers nothing until it is back', async () => {
    const { calls, load } = counted();
    await cache.remember('d', load);
    await cache.remember('d', load);
    expect(calls.n).toBe(1);
    await sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = $1`,
      [`LISTEN ${AUTH_CHANNEL}`],
    );
    await vi.waitFor(() => expect(cache.listening).toBe(false));
    await cache.remember('d', load);
    expect(calls.n).toBe(2);
    await vi.waitFor(() => expect(cache.listening).toBe(true), { timeout: 10_000 });
    await cache.remember('d', load);
    await cache.remember('d', load);
    expect(calls.n).toBe(3);
  });
});
