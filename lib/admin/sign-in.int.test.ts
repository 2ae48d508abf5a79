import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { hashPassword } from '@/lib/admin/password';
import { clearLoginAttempts, loginKeys, reserveLoginAttempt } from '@/lib/admin/rate-limit';
import { verifySession } from '@/lib/admin/session';
import { INCORRECT, signIn } from '@/lib/admin/sign-in';
import type { AdminConfig } from '@/lib/admin/config';
import { freshDatabase } from '@/test/db';

// The rate limiter and sign-in against real PostgreSQL (a database of this file's own, so counts
// are exact). The limiter's state is in the database: two clients stand for two app instances.

let db: Db;
let other: Db;
let drop: () => Promise<void>;
let config: Extract<AdminConfig, { configured: true }>;
const PASSWORD = 'a long test password';

beforeAll(async () => {
  const fresh = await freshDatabase();
  drop = fresh.drop;
  db = createPrismaClient(fresh.url, 25);
  other = createPrismaClient(fresh.url, 25);
  config = { configured: true, email: 'ops@example.test', passwordHash: await hashPassword(PASSWORD), sessionSecret: 'k'.repeat(40), apiToken: null };
});
afterAll(async () => {
  await Promise.all([db.$disconnect(), other.$disconnect()]);
  await drop();
});

let n = 0;
const keys = () => loginKeys(`198.51.100.${++n}`, `user${n}@example.test`);
const t0 = new Date('2026-11-26T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('login rate limiter (PostgreSQL)', () => {
  it('allows 5 attempts per address in 15 minutes, then refuses until the oldest leaves the window', async () => {
    const k = keys();
    for (let i = 0; i < 5; i++) expect(await reserveLoginAttempt(db, k, { now: at(i * 60) })).toEqual({ allowed: true });
    expect(await reserveLoginAttempt(db, k, { now: at(300) })).toEqual({ allowed: false, retryAfterSeconds: 600 });
    expect(await reserveLoginAttempt(other, k, { now: at(899) })).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await reserveLoginAttempt(db, k, { now: at(900) })).toEqual({ allowed: true });
  });

  it('counts a burst of parallel attempts from two instances exactly: 5 of 30 get through', async () => {
    const k = keys();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => reserveLoginAttempt(i % 2 ? db : other, k, { now: t0 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM admin_login_attempts WHERE key = ${k.ip}`;
    expect(rows[0]!.n).toBe(5);
  });

  it('limits an email across addresses (20), so rotating a forged X-Forwarded-For gains nothing', async () => {
    const email = 'target@example.test';
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await reserveLoginAttempt(db, loginKeys(`203.0.113.${i}`, email), { now: t0 }));
    expect(results.map((r) => r.allowed)).toEqual([...Array(20).fill(true), ...Array(5).fill(false)]);
    expect((await reserveLoginAttempt(db, loginKeys('203.0.113.99', 'TARGET@example.test '), { now: t0 })).allowed).toBe(false);
  });

  it('expired attempts of keys never used again are cleaned up by later attempts', async () => {
    await db.$executeRaw`INSERT INTO admin_login_attempts (key, attempted_at) SELECT 'ip:stale-' || i, ${at(-3600)} FROM generate_series(1, 150) i`;
    await reserveLoginAttempt(db, keys(), { now: t0 });
    await reserveLoginAttempt(db, keys(), { now: t0 });
    const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM admin_login_attempts WHERE key LIKE 'ip:stale-%'`;
    expect(rows[0]!.n).toBe(0);
  });

  it('clearing a key (after a successful sign-in) starts it afresh', async () => {
    const k = keys();
    for (let i = 0; i < 5; i++) await reserveLoginAttempt(db, k, { now: t0 });
    expect((await reserveLoginAttempt(db, k, { now: t0 })).allowed).toBe(false);
    await clearLoginAttempts(db, k);
    expect((await reserveLoginAttempt(db, k, { now: t0 })).allowed).toBe(true);
  });
});

describe('signIn', () => {
  const attempt = (email: string, password: string, clientIp: string, now = t0) => signIn(db, { email, password, clientIp }, { config, now });

  it('signs in with the configured email (any case) and password, and the token is a valid session', async () => {
    const result = await attempt(' OPS@example.test', PASSWORD, '192.0.2.1');
    expect(result).toMatchObject({ ok: true, maxAgeSeconds: 8 * 3600 });
    if (!result.ok) throw new Error('expected success');
    expect(verifySession(result.token, config.sessionSecret, config, t0)).toMatchObject({ email: 'ops@example.test' });
  });

  it('answers a wrong password and an unknown email with the same generic message', async () => {
    const wrongPassword = await attempt('ops@example.test', `${PASSWORD}!`, '192.0.2.2');
    const wrongEmail = await attempt('nobody@example.test', PASSWORD, '192.0.2.2');
    expect(wrongPassword).toEqual({ ok: false, reason: 'incorrect', message: INCORRECT });
    expect(wrongEmail).toEqual(wrongPassword);
    expect(INCORRECT).toBe('Email or password is incorrect.');
  });

  it('after 5 failures from one address even the right password is refused; another address still works', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt('ops@example.test', 'guess', '192.0.2.3')).ok).toBe(false);
    const blocked = await attempt('ops@example.test', PASSWORD, '192.0.2.3');
    expect(blocked).toEqual({ ok: false, reason: 'rate-limited', message: 'Too many sign-in attempts. Try again in 15 minutes.' });
    expect((await attempt('ops@example.test', PASSWORD, '192.0.2.4')).ok).toBe(true);
    expect((await attempt('ops@example.test', PASSWORD, '192.0.2.3', at(15 * 60))).ok).toBe(true);
  });

  it('a successful sign-in clears that address’s failures', async () => {
    for (let i = 0; i < 4; i++) await attempt('ops@example.test', 'guess', '192.0.2.5');
    expect((await attempt('ops@example.test', PASSWORD, '192.0.2.5')).ok).toBe(true);
    for (let i = 0; i < 4; i++) expect(await attempt('ops@example.test', 'guess', '192.0.2.5')).toMatchObject({ reason: 'incorrect' });
  });

  it('is refused when sign-in is not configured, without touching the limiter', async () => {
    const result = await signIn(db, { email: 'ops@example.test', password: PASSWORD, clientIp: '192.0.2.6' }, { config: { configured: false, problems: ['x'] } });
    expect(result).toMatchObject({ ok: false, reason: 'not-configured' });
    const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM admin_login_attempts WHERE key = 'ip:192.0.2.6'`;
    expect(rows[0]!.n).toBe(0);
  });
});
