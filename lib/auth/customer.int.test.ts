import { describe, expect, it, vi } from 'vitest';
import { auth } from '@/lib/auth/auth';
import { authenticateRequest, identifyRequest, IdentityUnavailable } from '@/lib/auth/customer';
import { customerRequest } from '@/lib/http/api-handler';
import { db } from '@/lib/db/prisma';
import { post, signUp, TEST_ORIGIN, uniqueEmail, appDatabase } from '@/test/auth';

// authenticateRequest against real PostgreSQL through the app's own better-auth instance: a session
// cookie or an API key identify the customer; a signed-out session, a revoked key and a banned
// customer are refused on the very next request (the verdict cache is off in-process: test/global-setup.ts;
// lib/auth/verdict-cache.int.test.ts and test/auth-invalidation.cluster.test.ts cover it).

appDatabase();

const request = (headers: Record<string, string>) => new Request(`${TEST_ORIGIN}/api/accounts`, { headers });

async function createKey(cookie: string, name = 'ci') {
  return auth().api.createApiKey({ body: { name }, headers: new Headers({ cookie }) });
}

describe('authenticateRequest', () => {
  it('nobody: no cookie, no Authorization, a bogus cookie, a malformed or unknown bearer', async () => {
    for (const headers of [
      {},
      { cookie: 'idem.session_token=forged.value' },
      { authorization: 'Basic abc' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer idem_notakey' },
    ] as Record<string, string>[]) {
      expect(await authenticateRequest(request(headers)), JSON.stringify(headers)).toBeNull();
    }
  });

  it('a session cookie identifies the customer; after sign-out the same cookie is refused', async () => {
    const customer = await signUp(auth(), { name: 'Grace Hopper' });
    expect(await authenticateRequest(request({ cookie: customer.cookie }))).toEqual({
      id: customer.id,
      name: 'Grace Hopper',
      email: customer.email,
      role: 'customer',
    });

    const signOut = await post(auth(), '/sign-out', {}, { cookie: customer.cookie });
    expect(signOut.status).toBe(200);
    expect(await db().session.count({ where: { userId: customer.id } })).toBe(0);
    expect(await authenticateRequest(request({ cookie: customer.cookie }))).toBeNull();
  });

  it('an API key identifies its owner as Bearer; it is stored hashed; revoked, it is refused at once', async () => {
    const customer = await signUp(auth());
    const created = await createKey(customer.cookie);
    expect(created.key).toMatch(/^idem_[A-Za-z0-9]{64}$/);
    const stored = await db().apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.key).not.toContain(created.key.slice(5)); // a SHA-256 digest, never the key
    expect(stored.referenceId).toBe(customer.id);

    const bearer = { authorization: `Bearer ${created.key}` };
    expect(await authenticateRequest(request(bearer))).toMatchObject({ id: customer.id, role: 'customer' });
    expect(await identifyRequest(request(bearer))).toMatchObject({ status: 'customer', via: 'api-key' });
    // A failing bearer is not retried as the cookie sent alongside it.
    expect(
      await authenticateRequest(request({ authorization: `Bearer ${created.key}x`, cookie: customer.cookie })),
    ).toBeNull();

    await auth().api.deleteApiKey({ body: { keyId: created.id }, headers: new Headers({ cookie: customer.cookie }) });
    expect(await authenticateRequest(request(bearer))).toBeNull();
  });

  it('another customer cannot revoke my key', async () => {
    const me = await signUp(auth());
    const other = await signUp(auth());
    const created = await createKey(me.cookie);
    await expect(
      auth().api.deleteApiKey({ body: { keyId: created.id }, headers: new Headers({ cookie: other.cookie }) }),
    ).rejects.toThrow();
    expect(await authenticateRequest(request({ authorization: `Bearer ${created.key}` }))).toMatchObject({ id: me.id });
  });

  it('a banned customer is refused at once: sessions (revoked by the ban) and API keys', async () => {
    const admin = await signUp(auth(), { email: uniqueEmail('admin') });
    await db().user.update({ where: { id: admin.id }, data: { role: 'admin' } });
    expect(await authenticateRequest(request({ cookie: admin.cookie }))).toMatchObject({ role: 'admin' });

    const customer = await signUp(auth());
    const { key } = await createKey(customer.cookie);
    expect(await authenticateRequest(request({ authorization: `Bearer ${key}` }))).not.toBeNull();

    await auth().api.banUser({
      body: { userId: customer.id, banReason: 'test' },
      headers: new Headers({ cookie: admin.cookie }),
    });
    expect(await authenticateRequest(request({ cookie: customer.cookie }))).toBeNull();
    expect(await authenticateRequest(request({ authorization: `Bearer ${key}` }))).toBeNull();
    const signIn = await post(auth(), '/sign-in/email', { email: customer.email, password: customer.password });
    expect(signIn.status).toBe(403);

    // The flag alone is enough (set by other tooling, with sessions left in place), and unbanning restores access.
    const other = await signUp(auth());
    await db().user.update({ where: { id: other.id }, data: { banned: true } });
    expect(await authenticateRequest(request({ cookie: other.cookie }))).toBeNull();
    await db().user.update({ where: { id: other.id }, data: { banned: false } });
    expect(await authenticateRequest(request({ cookie: other.cookie }))).toMatchObject({ id: other.id });
  });

  it("better-auth's own per-key counter is off: a key whose row allows 2 requests is still identified on the third (budgets: lib/http/api-limits.ts)", async () => {
    const customer = await signUp(auth());
    const created = await createKey(customer.cookie);
    await db().apiKey.update({ where: { id: created.id }, data: { rateLimitEnabled: true, rateLimitMax: 2 } });
    const bearer = { authorization: `Bearer ${created.key}` };
    for (let i = 0; i < 3; i++)
      expect(await identifyRequest(request(bearer))).toMatchObject({
        status: 'customer',
        via: 'api-key',
        keyId: created.id,
      });
  });

  it('a stored key better-auth could not verify (its query failed) is verified again, and never answered 401', async () => {
    const customer = await signUp(auth());
    const { key } = await createKey(customer.cookie);
    const bearer = { authorization: `Bearer ${key}` };
    // What verifyApiKey answers when its database query throws (it catches everything): the unknown-key answer.
    const swallowed = {
      valid: false,
      error: { message: 'Invalid API key.', code: 'INVALID_API_KEY' },
      key: null,
    } as never;
    const verify = vi.spyOn(auth().api, 'verifyApiKey');
    try {
      verify.mockResolvedValueOnce(swallowed);
      expect(await identifyRequest(request(bearer))).toMatchObject({
        status: 'customer',
        customer: { id: customer.id },
      });
      verify.mockResolvedValueOnce(swallowed).mockResolvedValueOnce(swallowed);
      await expect(identifyRequest(request(bearer))).rejects.toBeInstanceOf(IdentityUnavailable);
      verify.mockResolvedValueOnce(swallowed).mockResolvedValueOnce(swallowed);
      const answer = await customerRequest(request(bearer), async () => new Response('ran'));
      expect([
        answer.status,
        answer.headers.get('retry-after'),
        ((await answer.json()) as { type: string }).type,
      ]).toEqual([503, '1', '/problems/service-unavailable']);
    } finally {
      verify.mockRestore();
    }
    // An unknown key is still unknown, a revoked one still refused.
    expect(await identifyRequest(request({ authorization: `Bearer ${key}x` }))).toEqual({
      status: 'anonymous',
      badKey: true,
    });
    await db().apiKey.updateMany({ where: { referenceId: customer.id }, data: { enabled: false } });
    expect(await identifyRequest(request(bearer))).toEqual({ status: 'anonymous', badKey: true });
  });

  it('a session cookie whose session query fails (the database cannot answer) gets 503 with Retry-After, not 500 or 401', async () => {
    const customer = await signUp(auth());
    const withCookie = { cookie: customer.cookie };
    // What getSession throws when its query fails (better-auth's session route catches the driver's
    // error and rethrows it as INTERNAL_SERVER_ERROR with the original as `cause`).
    const dropped = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const wrapped = Object.assign(new Error('Failed to get session'), {
      status: 'INTERNAL_SERVER_ERROR',
      cause: dropped,
    });
    const getSession = vi.spyOn(auth().api, 'getSession');
    try {
      getSession.mockRejectedValueOnce(wrapped);
      const answer = await customerRequest(request(withCookie), async () => new Response('ran'));
      expect([
        answer.status,
        answer.headers.get('retry-after'),
        ((await answer.json()) as { type: string }).type,
      ]).toEqual([503, '1', '/problems/service-unavailable']);
      // Any other failure stays an internal error (500): only an unreachable database is worth a retry.
      getSession.mockRejectedValueOnce(
        Object.assign(new Error('Failed to get session'), { cause: new TypeError('bug') }),
      );
      expect((await customerRequest(request(withCookie), async () => new Response('ran'))).status).toBe(500);
    } finally {
      getSession.mockRestore();
    }
    expect(await identifyRequest(request(withCookie))).toMatchObject({
      status: 'customer',
      customer: { id: customer.id },
    });
  });
});
