import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import * as withdrawals from '@/app/api/accounts/[accountId]/withdrawals/route';
import { auth } from '@/lib/auth/auth';
import { identifyRequest } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';
import { post, signUp, TEST_ORIGIN, appDatabase } from '@/test/auth';

// Credentials a stolen session could leave behind, and how long a session lives. Time moves by
// backdating the session and key rows in PostgreSQL, never by waiting.

appDatabase();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const byCookie = (cookie: string) =>
  identifyRequest(new Request(`${TEST_ORIGIN}/api/accounts`, { headers: { cookie } }));
const byKey = (key: string) =>
  new Request(`${TEST_ORIGIN}/api/accounts`, { headers: { authorization: `Bearer ${key}` } });

/** Moves a customer's sessions into the past, as if `ms` had gone by since their last request. */
async function age(
  userId: string,
  ms: number,
  fields: ('createdAt' | 'updatedAt' | 'expiresAt')[] = ['createdAt', 'updatedAt', 'expiresAt'],
) {
  for (const s of await db().session.findMany({ where: { userId } })) {
    const data = Object.fromEntries(fields.map((f) => [f, new Date(s[f].getTime() - ms)]));
    await db().session.update({ where: { id: s.id }, data });
  }
}

describe('session lifetime', () => {
  it('a session ends after 30 minutes without a request', async () => {
    const ada = await signUp(auth());
    await age(ada.id, 31 * MINUTE);
    expect(await byCookie(ada.cookie)).toEqual({ status: 'anonymous' });
  });

  it('a session in use lives on, but never past 12 hours after sign-in', async () => {
    const ada = await signUp(auth());
    await age(ada.id, 20 * MINUTE);
    expect(await byCookie(ada.cookie)).toMatchObject({ status: 'customer' });
    await age(ada.id, 20 * MINUTE); // 40 minutes after sign-in, 20 after the last request
    expect(await byCookie(ada.cookie)).toMatchObject({ status: 'customer' });
    await age(ada.id, 12 * HOUR, ['createdAt']); // signed in 12 hours ago, in use all along
    expect(await byCookie(ada.cookie)).toEqual({ status: 'anonymous' });
    expect(await byCookie(ada.cookie)).toEqual({ status: 'anonymous' });
  });
});

describe('adding a credential needs a fresh sign-in', () => {
  it('an API key over HTTP: refused 403 SESSION_NOT_FRESH 10 minutes after sign-in, and none is made', async () => {
    const ada = await signUp(auth());
    expect((await post(auth(), '/api-key/create', { name: 'fresh' }, { cookie: ada.cookie })).status).toBe(200);
    await age(ada.id, 11 * MINUTE, ['createdAt']);
    const stale = await post(auth(), '/api-key/create', { name: 'stale' }, { cookie: ada.cookie });
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({ code: 'SESSION_NOT_FRESH' });
    expect(await db().apiKey.findMany({ where: { referenceId: ada.id }, select: { name: true } })).toEqual([
      { name: 'fresh' },
    ]);
  });

  it('a passkey: registration options are refused 10 minutes after sign-in', async () => {
    const ada = await signUp(auth());
    const options = () =>
      auth().handler(
        new Request(`${TEST_ORIGIN}/api/auth/passkey/generate-register-options`, {
          headers: { cookie: ada.cookie, origin: TEST_ORIGIN },
        }),
      );
    expect((await options()).status).toBe(200);
    await age(ada.id, 11 * MINUTE, ['createdAt']);
    expect((await options()).status).toBe(403);
  });
});

describe('API keys expire and have scopes', () => {
  it('a new key expires in 90 days unless chosen, at most a year; an expired key gets 401 saying so', async () => {
    const ada = await signUp(auth());
    const created = await auth().api.createApiKey({
      body: { name: 'default' },
      headers: new Headers({ cookie: ada.cookie }),
    });
    const days = (new Date(created.expiresAt!).getTime() - Date.now()) / (24 * HOUR);
    expect(Math.round(days)).toBe(90);
    const tooLong = await post(
      auth(),
      '/api-key/create',
      { name: 'forever', expiresIn: 366 * 24 * 3600 },
      { cookie: ada.cookie },
    );
    expect(tooLong.status).toBe(400);
    expect(await db().apiKey.count({ where: { referenceId: ada.id, name: 'forever' } })).toBe(0);

    expect((await accounts.GET(byKey(created.key))).status).toBe(200);
    await db().apiKey.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - MINUTE) } });
    const expired = await accounts.GET(byKey(created.key));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({
      type: '/problems/unauthorized',
      detail: expect.stringMatching(/invalid, expired or revoked/),
    });
  });

  it('an unknown key is told that the key is invalid, expired or revoked (not to sign in)', async () => {
    const response = await accounts.GET(byKey('idem_not-a-key'));
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      detail: expect.stringMatching(/^The API key is invalid, expired or revoked/),
    });
  });

  it('new keys read and write; a read-only key reads but moving money gets 403 and changes nothing', async () => {
    const ada = await signUp(auth());
    const { key, id } = await auth().api.createApiKey({
      body: { name: 'both' },
      headers: new Headers({ cookie: ada.cookie }),
    });
    const opened = await accounts.POST(
      new Request(`${TEST_ORIGIN}/api/accounts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ name: 'Main', openingDeposit: '50.00' }),
      }),
    );
    expect(opened.status).toBe(201);
    const account = (await opened.json()) as { id: string };

    await db().apiKey.update({ where: { id }, data: { permissions: JSON.stringify({ ledger: ['read'] }) } });
    expect((await accounts.GET(byKey(key))).status).toBe(200);
    const withdraw = await withdrawals.POST(
      new Request(`${TEST_ORIGIN}/api/accounts/${account.id}/withdrawals`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ amount: '10.00' }),
      }),
      { params: Promise.resolve({ accountId: account.id }) },
    );
    expect(withdraw.status).toBe(403);
    expect(withdraw.headers.get('content-type')).toBe('application/problem+json');
    expect(await withdraw.json()).toMatchObject({
      type: '/problems/forbidden',
      detail: expect.stringMatching(/only read/),
    });
    expect(
      await db().accountBalance.findUnique({ where: { accountId: account.id }, select: { balanceCents: true } }),
    ).toEqual({ balanceCents: 5000n });
  });
});

describe('what an admin may do through better-auth', () => {
  it('lists and bans, but cannot impersonate a customer or set their password', async () => {
    const admin = await signUp(auth(), { name: 'Ops' });
    await db().user.update({ where: { id: admin.id }, data: { role: 'admin' } });
    const victim = await signUp(auth(), { name: 'Victim' });
    const asAdmin = (path: string, body: unknown) => post(auth(), path, body, { cookie: admin.cookie });

    const impersonate = await asAdmin('/admin/impersonate-user', { userId: victim.id });
    expect(impersonate.status).toBe(403);
    expect(impersonate.headers.getSetCookie()).toEqual([]);
    expect(await db().session.count({ where: { userId: victim.id, impersonatedBy: { not: null } } })).toBe(0);
    expect(
      (await asAdmin('/admin/set-user-password', { userId: victim.id, newPassword: 'attacker chosen' })).status,
    ).toBe(403);
    expect((await post(auth(), '/sign-in/email', { email: victim.email, password: victim.password })).status).toBe(200);
    expect((await asAdmin('/admin/set-role', { userId: victim.id, role: 'admin' })).status).toBe(403);

    const listed = await auth().handler(
      new Request(`${TEST_ORIGIN}/api/auth/admin/list-users`, {
        headers: { cookie: admin.cookie, origin: TEST_ORIGIN },
      }),
    );
    expect(listed.status).toBe(200);
    expect((await asAdmin('/admin/ban-user', { userId: victim.id })).status).toBe(200);
  });
});
