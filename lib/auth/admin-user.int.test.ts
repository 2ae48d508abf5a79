import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth } from '@/lib/auth/auth';
import { ensureAdmin } from '@/lib/auth/admin-user';
import { authenticateRequest } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';
import { post, signUp, TEST_ORIGIN, testAuthEnv, uniqueEmail } from '@/test/auth';
import { freshDatabase } from '@/test/db';

// `npm run admin:create` and the embedded database's admin: create, promote, reset the password.

let drop: () => Promise<void>;
beforeAll(async () => {
  const fresh = await freshDatabase();
  Object.assign(process.env, testAuthEnv, { DATABASE_URL: fresh.url });
  drop = fresh.drop;
});
afterAll(async () => {
  await db().$disconnect();
  await drop();
});

const whoIs = (cookie: string) => authenticateRequest(new Request(`${TEST_ORIGIN}/api/accounts`, { headers: { cookie } }));

describe('ensureAdmin', () => {
  it('creates an admin who can sign in; an unknown email without a password is refused', async () => {
    const email = uniqueEmail('ops');
    await expect(ensureAdmin(auth(), { email })).rejects.toThrow(/give a password/);
    const result = await ensureAdmin(auth(), { email: email.toUpperCase(), password: 'operator password' });
    expect(result).toMatchObject({ created: true, passwordSet: true });
    const signIn = await post(auth(), '/sign-in/email', { email, password: 'operator password' });
    expect(signIn.status).toBe(200);
  });

  it('promotes an existing customer without touching their password or sessions', async () => {
    const customer = await signUp(auth());
    expect(await whoIs(customer.cookie)).toMatchObject({ role: 'customer' });
    expect(await ensureAdmin(auth(), { email: customer.email })).toEqual({ userId: customer.id, created: false, passwordSet: false });
    expect(await whoIs(customer.cookie)).toMatchObject({ id: customer.id, role: 'admin' });
  });

  it('with a password: the old one stops working and every session of theirs ends', async () => {
    const customer = await signUp(auth());
    await ensureAdmin(auth(), { email: customer.email, password: 'a brand new password' });
    expect(await whoIs(customer.cookie)).toBeNull();
    expect((await post(auth(), '/sign-in/email', { email: customer.email, password: customer.password })).status).toBe(401);
    expect((await post(auth(), '/sign-in/email', { email: customer.email, password: 'a brand new password' })).status).toBe(200);
  });
});
