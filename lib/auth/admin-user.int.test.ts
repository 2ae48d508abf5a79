import { describe, expect, it } from 'vitest';
import { auth } from '@/lib/auth/auth';
import { ensureAdmin } from '@/lib/auth/admin-user';
import { authenticateRequest } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';
import { post, signUp, TEST_ORIGIN, uniqueEmail, appDatabase } from '@/test/auth';

// `npm run admin:create` and the embedded database's admin: create, promote, reset the password.

appDatabase();

const whoIs = (cookie: string) =>
  authenticateRequest(new Request(`${TEST_ORIGIN}/api/accounts`, { headers: { cookie } }));

describe('ensureAdmin', () => {
  it('creates an admin who can sign in; an unknown email without a password is refused', async () => {
    const email = uniqueEmail('ops');
    await expect(ensureAdmin(auth(), { email })).rejects.toThrow(/give a password/);
    const result = await ensureAdmin(auth(), { email: email.toUpperCase(), password: 'operator password' });
    expect(result).toMatchObject({ created: true, passwordSet: true });
    const signIn = await post(auth(), '/sign-in/email', { email, password: 'operator password' });
    expect(signIn.status).toBe(200);
  });

  it('marks the email of an admin it creates as verified', async () => {
    const email = uniqueEmail('ops');
    const { userId } = await ensureAdmin(auth(), { email, password: 'operator password' });
    expect(await db().user.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({
      emailVerified: true,
      role: 'admin',
    });
  });

  it('refuses to promote an existing user with an unverified email, changing nothing', async () => {
    const customer = await signUp(auth());
    await db().user.update({ where: { id: customer.id }, data: { emailVerified: false } });
    await expect(ensureAdmin(auth(), { email: customer.email, password: 'a brand new password' })).rejects.toThrow(
      `${customer.email} has not verified their email address, so it is not known to be theirs: nothing was changed.`,
    );
    expect(await whoIs(customer.cookie)).toMatchObject({ id: customer.id, role: 'customer' });
    // The old password still opens the account: sign-in gets as far as the unverified email (it says
    // so only after the right password), not a wrong-password refusal.
    const signIn = await post(auth(), '/sign-in/email', { email: customer.email, password: customer.password });
    expect(signIn.status).toBe(403);
    expect(await signIn.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
  });

  it('an existing admin (made before emails were verified) gets the new password: `npm start` re-seeds its admin', async () => {
    const customer = await signUp(auth());
    await db().user.update({ where: { id: customer.id }, data: { role: 'admin', emailVerified: false } });
    expect(await ensureAdmin(auth(), { email: customer.email, password: 'the seeded password' })).toMatchObject({
      passwordSet: true,
    });
    expect(await whoIs(customer.cookie)).toBeNull();
  });

  it('an admin re-seeded with the password they already have keeps it and their sessions: a restart signs no one out', async () => {
    const customer = await signUp(auth());
    await db().user.update({ where: { id: customer.id }, data: { role: 'admin' } });
    expect(await ensureAdmin(auth(), { email: customer.email, password: customer.password })).toMatchObject({
      passwordSet: false,
    });
    expect(await whoIs(customer.cookie)).toMatchObject({ id: customer.id });
  });

  it('refuses to promote an existing user without a new password, changing nothing', async () => {
    const customer = await signUp(auth());
    await db().user.update({ where: { id: customer.id }, data: { emailVerified: true } });
    await expect(ensureAdmin(auth(), { email: customer.email })).rejects.toThrow(
      /already exists: promoting them needs a new password/,
    );
    expect(await whoIs(customer.cookie)).toMatchObject({ id: customer.id, role: 'customer' });
  });

  it('a verified user is promoted with a new password: the old one stops working and every session of theirs ends', async () => {
    const customer = await signUp(auth());
    await db().user.update({ where: { id: customer.id }, data: { emailVerified: true } });
    expect(await ensureAdmin(auth(), { email: customer.email, password: 'a brand new password' })).toEqual({
      userId: customer.id,
      created: false,
      passwordSet: true,
    });
    expect(await whoIs(customer.cookie)).toBeNull();
    expect((await post(auth(), '/sign-in/email', { email: customer.email, password: customer.password })).status).toBe(
      401,
    );
    expect(
      (await post(auth(), '/sign-in/email', { email: customer.email, password: 'a brand new password' })).status,
    ).toBe(200);
    expect(await db().user.findUniqueOrThrow({ where: { id: customer.id } })).toMatchObject({ role: 'admin' });
  });
});
