import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, type Auth } from '@/lib/auth/auth';
import { authConfig } from '@/lib/auth/config';
import { ATTEMPTS_LEFT_HEADER, RATE_LIMITS } from '@/lib/auth/rate-limits';
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

let net = 0;
/** A /24 of its own, so that no two tests share a network bucket. */
const freshNetwork = () => {
  const n = ++net + Math.floor(Math.random() * 40) * 100;
  return (host: number) => `203.${Math.floor(n / 250)}.${n % 250}.${host}`;
};

describe('sign-in limit per client address (never reset by a success)', () => {
  it(`${RATE_LIMITS.signIn.max} attempts per address across two instances, then 429 even with the right password`, async () => {
    const network = freshNetwork();
    const ip = network(1);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.signIn.max; i++)
      statuses.push((await signIn(i % 2 ? second.auth : first.auth, uniqueEmail('sprayed'), `guess ${i}`, ip)).status);
    expect(statuses).toEqual(Array(RATE_LIMITS.signIn.max).fill(401));
    const user = await signUp(first.auth);
    for (const instance of [first.auth, second.auth]) {
      const refused = await signIn(instance, user.email, user.password, ip);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('x-retry-after'))).toBeGreaterThan(RATE_LIMITS.signIn.window - 60);
    }
    // Another address is unaffected.
    expect((await signIn(second.auth, user.email, user.password, network(2))).status).toBe(200);

    // The count is a row in PostgreSQL, not process memory: removing it lets the address in again.
    const [bucket] = await rows(first.db, `${ip}|/sign-in/email`);
    expect(bucket).toMatchObject({ count: RATE_LIMITS.signIn.max });
    await first.db.rateLimit.delete({ where: { id: bucket!.id } });
    expect((await signIn(second.auth, user.email, user.password, ip)).status).toBe(200);
  });

  it('a burst of parallel attempts from two instances is counted exactly', async () => {
    const ip = freshNetwork()(1);
    const total = RATE_LIMITS.signIn.max + 6;
    const statuses = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        signIn(i % 2 ? first.auth : second.auth, uniqueEmail('nobody'), 'x', ip).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(RATE_LIMITS.signIn.max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(total - RATE_LIMITS.signIn.max);
  });

  it('signing in to one’s own account between guesses does not reset the address’s count (no endless password spraying)', async () => {
    const attacker = await signUp(first.auth);
    const ip = freshNetwork()(1);
    const statuses: number[] = [];
    // Rounds of 4 guesses at a new victim each + 1 sign-in of the attacker's own: far more than the cap.
    for (let round = 0; round < RATE_LIMITS.signIn.max / 5 + 2; round++) {
      const victim = uniqueEmail('victim');
      for (let i = 0; i < 4; i++) statuses.push((await signIn(first.auth, victim, `guess ${i}`, ip)).status);
      statuses.push((await signIn(second.auth, attacker.email, attacker.password, ip)).status);
    }
    expect(statuses.slice(0, RATE_LIMITS.signIn.max).every((s) => s === 401 || s === 200)).toBe(true);
    expect(statuses.slice(RATE_LIMITS.signIn.max)).toEqual(Array(statuses.length - RATE_LIMITS.signIn.max).fill(429));
  });
});

describe('sign-in lockout per (email, network)', () => {
  it(`${RATE_LIMITS.signInPerEmail.max} wrong passwords lock that email out from that /24 only (in any letter case), and say how many are left`, async () => {
    const user = await signUp(first.auth);
    const network = freshNetwork();
    const left: (string | null)[] = [];
    for (let i = 0; i < RATE_LIMITS.signInPerEmail.max; i++) {
      // Every attempt from another address of the same /24: rotating addresses gains nothing.
      const response = await signIn(i % 2 ? first.auth : second.auth, user.email, `guess ${i}`, network(10 + i));
      expect(response.status).toBe(401);
      left.push(response.headers.get(ATTEMPTS_LEFT_HEADER));
    }
    expect(left).toEqual(['4', '3', '2', '1', '0']);
    const refused = await signIn(first.auth, user.email.toUpperCase(), user.password, network(99));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('x-retry-after'))).toBeGreaterThan(RATE_LIMITS.signInPerEmail.window - 60);
    // The same network can still sign in to other emails, and the email from other networks.
    const other = await signUp(first.auth);
    expect((await signIn(second.auth, other.email, other.password, network(100))).status).toBe(200);
    expect((await signIn(second.auth, user.email, user.password, freshNetwork()(1))).status).toBe(200);
  });

  it('a stranger’s failures from many networks never lock the customer out of their own network', async () => {
    const user = await signUp(first.auth);
    const home = freshNetwork()(7);
    // More wrong guesses than the old per-email limit (20), each from another network.
    for (let i = 0; i < 25; i++)
      expect((await signIn(first.auth, user.email, `guess ${i}`, freshNetwork()(1))).status).toBe(401);
    expect((await signIn(second.auth, user.email, user.password, home)).status).toBe(200);
  });

  it('a successful sign-in clears only that email’s count from that network', async () => {
    const user = await signUp(first.auth);
    const network = freshNetwork();
    for (let i = 0; i < RATE_LIMITS.signInPerEmail.max - 1; i++)
      expect((await signIn(first.auth, user.email, 'guess', network(1))).status).toBe(401);
    expect((await signIn(second.auth, user.email, user.password, network(2))).status).toBe(200);
    expect(await rows(first.db, `email:${user.email}`)).toEqual([]);
    const guess = await signIn(first.auth, user.email, 'guess', network(1));
    expect(guess.headers.get(ATTEMPTS_LEFT_HEADER)).toBe(String(RATE_LIMITS.signInPerEmail.max - 1));
    // The address's own count was not cleared: every attempt above is still in it.
    expect(await rows(first.db, `${network(1)}|/sign-in/email`)).toMatchObject([
      { count: RATE_LIMITS.signInPerEmail.max },
    ]);
  });

  it('an email with a NUL or another control character is refused with a clear 400 before PostgreSQL sees it', async () => {
    for (const email of ['a\u0000b@example.test', 'ab@example.test\n']) {
      const response = await signIn(first.auth, email, 'whatever password', freshNetwork()(1));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'INVALID_EMAIL',
        message: 'An email address cannot contain control characters (such as NUL).',
      });
    }
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
