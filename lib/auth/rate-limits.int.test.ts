import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, type Auth } from '@/lib/auth/auth';
import { authConfig } from '@/lib/auth/config';
import { RATE_LIMITS } from '@/lib/auth/rate-limits';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { freshIp, post, signUp, TEST_ORIGIN, testAuthEnv, uniqueEmail } from '@/test/auth';
import { freshDatabase } from '@/test/db';

// Sign-in and sign-up limits through better-auth's HTTP handler, stored in PostgreSQL. Two auth
// instances on two Prisma clients (two pools) stand for two app instances: they see one count.

let first: { db: Db; auth: Auth };
let second: { db: Db; auth: Auth };
let drop: () => Promise<void>;

beforeAll(async () => {
  const fresh = await freshDatabase();
  drop = fresh.drop;
  const config = authConfig({ ...testAuthEnv, NODE_ENV: 'test' });
  const instance = () => {
    const db = createPrismaClient(fresh.url, 5);
    return { db, auth: createAuth(db, config) };
  };
  first = instance();
  second = instance();
});
afterAll(async () => {
  await Promise.all([first.db.$disconnect(), second.db.$disconnect()]);
  await drop();
});

const signIn = (instance: Auth, email: string, password: string, ip: string) =>
  post(instance, '/sign-in/email', { email, password }, { 'x-forwarded-for': ip });
const rows = async (db: Db, like: string) => db.rateLimit.findMany({ where: { key: { contains: like } } });

describe('sign-in rate limit (PostgreSQL, per client address)', () => {
  it(`${RATE_LIMITS.signIn.max} attempts per address across two instances, then 429 even with the right password`, async () => {
    const user = await signUp(first.auth);
    const ip = freshIp();
    for (let i = 0; i < RATE_LIMITS.signIn.max; i++) {
      const instance = i % 2 ? second.auth : first.auth;
      expect((await signIn(instance, user.email, `guess ${i}`, ip)).status, `attempt ${i + 1}`).toBe(401);
    }
    for (const instance of [first.auth, second.auth]) {
      const refused = await signIn(instance, user.email, user.password, ip);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('x-retry-after'))).toBeGreaterThan(RATE_LIMITS.signIn.window - 60);
    }
    // Another address is unaffected.
    expect((await signIn(second.auth, user.email, user.password, freshIp())).status).toBe(200);

    // The count is a row in PostgreSQL, not process memory: removing it lets the address in again.
    const [bucket] = await rows(first.db, `${ip}|/sign-in/email`);
    expect(bucket).toMatchObject({ count: RATE_LIMITS.signIn.max });
    await first.db.rateLimit.delete({ where: { id: bucket!.id } });
    expect((await signIn(second.auth, user.email, user.password, ip)).status).toBe(200);
  });

  it('a burst of parallel attempts from two instances is counted exactly', async () => {
    const ip = freshIp();
    const statuses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => signIn(i % 2 ? first.auth : second.auth, 'nobody@example.test', 'x', ip).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(RATE_LIMITS.signIn.max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(16 - RATE_LIMITS.signIn.max);
  });

  it('a successful sign-in clears its address’s count', async () => {
    const user = await signUp(first.auth);
    const ip = freshIp();
    for (let i = 0; i < RATE_LIMITS.signIn.max - 1; i++) expect((await signIn(first.auth, user.email, 'guess', ip)).status).toBe(401);
    expect((await signIn(second.auth, user.email, user.password, ip)).status).toBe(200);
    expect(await rows(first.db, `${ip}|/sign-in/email`)).toEqual([]);
    for (let i = 0; i < RATE_LIMITS.signIn.max - 1; i++) expect((await signIn(first.auth, user.email, 'guess', ip)).status).toBe(401);
  });
});

describe('sign-in rate limit per email (a forged client address gains nothing)', () => {
  it(`${RATE_LIMITS.signInPerEmail.max} attempts per email from any addresses, then 429 (in any letter case)`, async () => {
    const user = await signUp(first.auth);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.signInPerEmail.max + 2; i++)
      statuses.push((await signIn(i % 2 ? first.auth : second.auth, user.email, `guess ${i}`, freshIp())).status);
    expect(statuses).toEqual([...Array(RATE_LIMITS.signInPerEmail.max).fill(401), 429, 429]);
    expect((await signIn(first.auth, user.email.toUpperCase(), user.password, freshIp())).status).toBe(429);
    // Other emails are unaffected.
    const other = await signUp(first.auth);
    expect((await signIn(second.auth, other.email, other.password, freshIp())).status).toBe(200);
  });
});

describe('sign-up rate limit', () => {
  it(`${RATE_LIMITS.signUp.max} sign-ups per address, counted across instances`, async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMITS.signUp.max; i++) {
      const response = await post(
        i % 2 ? second.auth : first.auth,
        '/sign-up/email',
        { name: `N ${i}`, email: uniqueEmail(), password: 'long enough password' },
        { 'x-forwarded-for': ip },
      );
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array(RATE_LIMITS.signUp.max).fill(200), 429]);
  });
});

describe('origin checks stay on under NODE_ENV=test', () => {
  it('a foreign Origin or Origin: null is refused; the app’s own origin is accepted', async () => {
    const body = { name: 'X', email: uniqueEmail(), password: 'long enough password' };
    expect((await post(first.auth, '/sign-up/email', body, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(first.auth, '/sign-up/email', body, { origin: 'null' })).status).toBe(403);
    expect((await post(first.auth, '/sign-up/email', body, { origin: TEST_ORIGIN })).status).toBe(200);
  });
});
