import { randomUUID } from 'node:crypto';
import type { ReactElement } from 'react';
import { renderToReadableStream } from 'react-dom/server';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { auth } from '@/lib/auth/auth';
import { ensureAdmin } from '@/lib/auth/admin-user';
import { db } from '@/lib/db/prisma';
import { post, sessionCookie, signUp, testAuthEnv, uniqueEmail, appDatabase } from '@/test/auth';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// requireAdmin in every admin page and server action, the admin API route, and the sign-in server
// action, called in-process. Admins are users with role `admin`: to anyone else (signed out, a
// forged cookie, a signed-in customer, a customer's API key) the admin area answers 404.
// next/headers is replaced by a cookie jar and request headers this file controls. (The projections
// page awaits connection(), which needs a real request: e2e/admin.spec.ts covers it.)

const jar = new Map<string, { value: string; options?: Record<string, unknown> }>();
let requestHeaders = new Headers();
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)!.value } : undefined),
    set: (name: string, value: string, options?: Record<string, unknown>) => void jar.set(name, { value, options }),
    delete: (arg: string | { name: string }) => void jar.delete(typeof arg === 'string' ? arg : arg.name),
  }),
  headers: async () => requestHeaders,
}));

const ADMIN_PASSWORD = 'the admin password';
let adminEmail: string;
let adminId: string;
let adminCookie: string;
let customerCookie: string;
let accountId: AccountId;
let commandId: string;

appDatabase();
beforeAll(async () => {
  adminEmail = uniqueEmail('admin');
  adminId = (await ensureAdmin(auth(), { email: adminEmail, password: ADMIN_PASSWORD })).userId;
  adminCookie = sessionCookie(await post(auth(), '/sign-in/email', { email: adminEmail, password: ADMIN_PASSWORD }));
  customerCookie = (await signUp(auth())).cookie;
  accountId = newAccountId();
  commandId = randomUUID();
  await handleAccountCommand({
    type: 'OpenAccount',
    data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Ada', openingDepositCents: 10_000 },
    metadata: { commandId, now: new Date(), customerId: CUSTOMER },
  });
});
beforeEach(() => {
  jar.clear();
  requestHeaders = new Headers({ 'x-forwarded-for': '192.0.2.10', 'x-forwarded-proto': 'http' });
});

const as = (cookie: string) => {
  requestHeaders.set('cookie', cookie);
};

/** Pages are server components; render what they return (suspending children included) to HTML. */
async function html(element: unknown): Promise<string> {
  const stream = await renderToReadableStream(element as ReactElement);
  await stream.allReady;
  return new Response(stream).text();
}

/** The digest of what a page or action threw: Next's redirect or its 404. */
async function thrownBy(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? '';
    if (digest.startsWith('NEXT_REDIRECT;')) return `redirect ${digest.split(';')[2]!}`;
    if (digest === 'NEXT_HTTP_ERROR_FALLBACK;404') return 'not found';
    throw error;
  }
  throw new Error('expected a redirect or a 404');
}

const search = (params: Record<string, string> = {}) => ({ searchParams: Promise.resolve(params) });
const pages = {
  '/admin': async () => (await import('@/app/admin/page')).default(),
  '/admin/events': async () => (await import('@/app/admin/events/page')).default(search()),
  '/admin/events/1': async () =>
    (await import('@/app/admin/events/[position]/page')).default({ params: Promise.resolve({ position: '1' }) }),
  '/admin/streams': async () => (await import('@/app/admin/streams/page')).default(search()),
  '/admin/streams/account-x': async () =>
    (await import('@/app/admin/streams/[streamId]/page')).default({
      params: Promise.resolve({ streamId: `account-${accountId}` }),
      ...search({ version: '1' }),
    }),
  '/admin/commands': async () => (await import('@/app/admin/commands/page')).default(search()),
  '/admin/commands/x': async () =>
    (await import('@/app/admin/commands/[commandId]/page')).default({ params: Promise.resolve({ commandId }) }),
  '/admin/customers': async () => (await import('@/app/admin/customers/page')).default(search({ q: 'customer-' })),
};

const expected: Record<keyof typeof pages, () => string> = {
  '/admin': () => 'aria-labelledby="daily-totals"',
  '/admin/events': () => `account-${accountId}`,
  '/admin/events/1': () => `href="/admin/commands/${commandId}"`,
  '/admin/streams': () => `href="/admin/streams/account-${accountId}"`,
  '/admin/streams/account-x': () => '$100.00',
  '/admin/commands': () => commandId,
  '/admin/commands/x': () => 'MoneyDeposited',
  '/admin/customers': () => 'Disable customer',
};

describe('requireAdmin in every admin page', () => {
  for (const [path, render] of Object.entries(pages)) {
    it(`${path}: 404 signed out, with a forged or tampered cookie, and for a signed-in customer`, async () => {
      expect(await thrownBy(render)).toBe('not found');
      for (const cookie of ['idem.session_token=forged.value', `${adminCookie}x`, customerCookie]) {
        as(cookie);
        expect(await thrownBy(render), cookie).toBe('not found');
      }
    });

    it(`${path}: renders for an admin`, async () => {
      as(adminCookie);
      expect(await html(await render())).toContain(expected[path as keyof typeof pages]());
    });
  }

  it('an admin demoted to customer, or banned, loses the admin area at once', async () => {
    const email = uniqueEmail('demoted');
    const { userId } = await ensureAdmin(auth(), { email, password: ADMIN_PASSWORD });
    const cookie = sessionCookie(await post(auth(), '/sign-in/email', { email, password: ADMIN_PASSWORD }));
    as(cookie);
    expect(await html(await pages['/admin']())).toContain('daily-totals');
    await db().user.update({ where: { id: userId }, data: { role: 'customer' } });
    expect(await thrownBy(pages['/admin'])).toBe('not found');
    await db().user.update({ where: { id: userId }, data: { role: 'admin', banned: true } });
    expect(await thrownBy(pages['/admin'])).toBe('not found');
  });
});

describe('admin server actions', () => {
  const verify = () => {
    const form = new FormData();
    form.append('projection', 'account-balances');
    form.append('operation', 'verify');
    return form;
  };

  it('projectionAction: 404 for anyone but an admin, before doing anything', async () => {
    const { projectionAction } = await import('@/app/admin/projections/actions');
    expect(await thrownBy(() => projectionAction({ status: 'idle' }, verify()))).toBe('not found');
    as(customerCookie);
    expect(await thrownBy(() => projectionAction({ status: 'idle' }, verify()))).toBe('not found');
    as(adminCookie);
    expect(await projectionAction({ status: 'idle' }, verify())).toMatchObject({ status: 'verified' });
  });

  it('toggleCustomerAction: 404 for anyone but an admin, and the customer stays enabled', async () => {
    const { toggleCustomerAction } = await import('@/app/admin/customers/actions');
    const target = await signUp(auth());
    const form = new FormData();
    form.append('userId', target.id);
    form.append('operation', 'disable');
    expect(await thrownBy(() => toggleCustomerAction(null, form))).toBe('not found');
    as(customerCookie);
    expect(await thrownBy(() => toggleCustomerAction(null, form))).toBe('not found');
    expect((await db().user.findUniqueOrThrow({ where: { id: target.id } })).banned).not.toBe(true);
    expect(await db().session.count({ where: { userId: target.id } })).toBe(1);
  });
});

describe('signInAction (the /sign-in form)', () => {
  const form = (fields: Record<string, string>) =>
    Object.entries(fields).reduce((f, [k, v]) => (f.append(k, v), f), new FormData());
  const initial = { error: null, fieldErrors: {}, values: {} };

  it('one generic error for a wrong password and an unknown email; on success an httpOnly, SameSite=Lax session cookie', async () => {
    const { signInAction } = await import('@/app/session-actions');
    requestHeaders.set('origin', testAuthEnv.BETTER_AUTH_URL);
    const wrong = await signInAction(initial, form({ email: adminEmail, password: 'nope' }));
    const unknown = await signInAction(initial, form({ email: uniqueEmail('nobody'), password: ADMIN_PASSWORD }));
    expect(wrong).toEqual({
      error: expect.stringMatching(
        /^Email or password is incorrect\. \d attempts? left before sign-in to this email from your network is paused for 15 minutes\.$/,
      ),
      fieldErrors: {},
      values: { email: adminEmail },
    });
    expect(unknown.error).toBe(wrong.error);
    expect(jar.size).toBe(0);

    expect(
      await thrownBy(() =>
        signInAction(initial, form({ email: adminEmail, password: ADMIN_PASSWORD, next: '/admin/commands' })),
      ),
    ).toBe('redirect /admin/commands');
    const session = jar.get('idem.session_token');
    expect(session?.options).toMatchObject({
      httpOnly: true,
      sameSite: expect.stringMatching(/^lax$/i),
      path: '/',
      maxAge: 30 * 60,
    });
    as(`idem.session_token=${session!.value}`);
    expect(await html(await pages['/admin']())).toContain('Event history');
  });

  it('never redirects outside the site (no open redirect through next=)', async () => {
    const { signInAction } = await import('@/app/session-actions');
    for (const next of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/\tevil',
      'javascript:alert(1)',
      '/sign-in?next=//evil.example',
    ]) {
      jar.clear();
      requestHeaders = new Headers({ 'x-forwarded-for': '192.0.2.11', origin: testAuthEnv.BETTER_AUTH_URL });
      // An admin without a usable destination lands on the console, never elsewhere.
      expect(
        await thrownBy(() => signInAction(initial, form({ email: adminEmail, password: ADMIN_PASSWORD, next }))),
      ).toBe('redirect /admin');
    }
  });

  it('a cross-site form post is refused by the auth endpoint’s origin check', async () => {
    const { signInAction } = await import('@/app/session-actions');
    requestHeaders.set('origin', 'https://evil.example');
    const result = await signInAction(initial, form({ email: adminEmail, password: ADMIN_PASSWORD }));
    expect(result.error).toMatch(/refused/);
    expect(jar.size).toBe(0);
  });
});

describe('GET /api/admin/events', () => {
  const call = async (query: string, headers: Record<string, string> = {}) => {
    const { GET } = await import('@/app/api/admin/events/route');
    const response = await GET(new Request(`http://127.0.0.1:3000/api/admin/events${query}`, { headers }));
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const cookie = () => ({ cookie: `theme=dark; ${adminCookie}` });
  const createKey = async (sessionCookieHeader: string) =>
    auth().api.createApiKey({ body: { name: 'tooling' }, headers: new Headers({ cookie: sessionCookieHeader }) });

  it('the 404 of an unknown API path without credentials, with a forged cookie or key, and for a customer’s session or key', async () => {
    const customerKey = await createKey(customerCookie);
    const attempts = [
      {},
      { cookie: 'idem.session_token=v1.a.b' },
      { authorization: 'Bearer idem_0123456789' },
      { cookie: customerCookie },
      { authorization: `Bearer ${customerKey.key}` },
    ];
    for (const headers of attempts as Record<string, string>[]) {
      const response = await call('', headers);
      expect(response.status, JSON.stringify(headers)).toBe(404);
      expect(response.type).toBe('application/problem+json');
      expect(response.body).toEqual({
        type: '/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: 'There is no API endpoint at this address. The endpoints are listed in /api/openapi.json.',
      });
    }
  });

  it('accepts the admin’s session cookie and the admin’s API key as Bearer; a revoked key at once is 404 again', async () => {
    expect((await call('', cookie())).status).toBe(200);
    const adminKey = await createKey(adminCookie);
    expect((await call('', { authorization: `Bearer ${adminKey.key}` })).status).toBe(200);
    expect((await call('', { authorization: `Bearer ${adminKey.key}x` })).status).toBe(404);
    expect((await call('', { authorization: adminKey.key })).status).toBe(404);
    await auth().api.deleteApiKey({ body: { keyId: adminKey.id }, headers: new Headers({ cookie: adminCookie }) });
    expect((await call('', { authorization: `Bearer ${adminKey.key}` })).status).toBe(404);
    expect(adminId).toBeTruthy();
  });

  it('pages through the log ascending by position, with next while more events exist', async () => {
    for (let i = 0; i < 3; i++) {
      const id = newAccountId();
      await handleAccountCommand({
        type: 'OpenAccount',
        data: { accountId: id, accountNumber: testAccountNumber(id), owner: `Owner ${i}`, openingDepositCents: 100 },
        metadata: { commandId: randomUUID(), now: new Date(), customerId: CUSTOMER },
      });
    }
    const all = await call('?after=0&limit=1000', cookie());
    const positions = (all.body.events as { globalPosition: string }[]).map((e) => BigInt(e.globalPosition));
    expect(positions.length).toBeGreaterThanOrEqual(8);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(all.body.next).toBeNull();

    const first = await call('?after=0&limit=3', cookie());
    expect((first.body.events as unknown[]).length).toBe(3);
    expect(first.body.next).toBe(String(positions[2]));
    const second = await call(`?after=${first.body.next}&limit=1000`, cookie());
    expect((second.body.events as { globalPosition: string }[]).map((e) => BigInt(e.globalPosition))).toEqual(
      positions.slice(3),
    );
    const listed = (second.body.events as Record<string, unknown>[])[0]!;
    expect(listed).toEqual({
      globalPosition: expect.any(String),
      streamId: expect.stringMatching(/^account-/),
      version: expect.any(Number),
      type: expect.any(String),
      data: expect.any(Object),
      metadata: expect.any(Object),
      commandId: expect.any(String),
      createdAt: expect.stringMatching(/Z$/),
    });
    // The row stores its data without the account id and time its row says, and no metadata beyond
    // the schema version's column; the answer carries both whole, as written.
    const data = listed.data as Record<string, unknown>;
    expect(data.accountId).toBe(String(listed.streamId).slice('account-'.length));
    const time = data.openedAt ?? data.depositedAt ?? data.withdrawnAt ?? data.transferredAt;
    expect(time).toBe(listed.createdAt);
    const [row] = await db().$queryRaw<{ data: Record<string, unknown> }[]>`
      SELECT data FROM events WHERE global_position = ${BigInt(String(listed.globalPosition))}`;
    expect(row!.data).not.toHaveProperty('accountId');
    for (const query of ['?after=0&limit=1000', '?cursor=0.0&limit=1000']) {
      const same = (await call(query, cookie())).body.events as Record<string, unknown>[];
      expect(same.find((e) => e.globalPosition === listed.globalPosition)?.data).toEqual(listed.data);
    }
    expect(listed.metadata).toEqual({
      commandId: listed.commandId,
      causationId: listed.commandId,
      commandType: expect.stringMatching(/^(OpenAccount|DepositMoney|WithdrawMoney|TransferMoney)$/),
      correlationId: listed.commandId,
      schemaVersion: expect.any(Number),
    });
    expect((await call(`?after=${positions.at(-1)}`, cookie())).body).toEqual({
      events: [],
      next: null,
      nextCursor: null,
    });
    expect((await call('', cookie())).body.events).toHaveLength(positions.length); // default limit 100
  });

  it('cursor mode: every event exactly once, in commit order, page by page', async () => {
    const byPosition = ((await call('?after=0&limit=1000', cookie())).body.events as { globalPosition: string }[]).map(
      (e) => e.globalPosition,
    );
    const seen: string[] = [];
    let cursor = '0.0';
    for (let page = 0; page < 100; page++) {
      const { status, body } = await call(`?cursor=${cursor}&limit=2`, cookie());
      expect(status).toBe(200);
      expect(body.nextCursor).toMatch(/^\d+\.\d+$/);
      const events = body.events as { globalPosition: string }[];
      if (events.length === 0) {
        expect(body.nextCursor).toBe(cursor); // nothing new: keep asking with the same cursor
        break;
      }
      seen.push(...events.map((e) => e.globalPosition));
      cursor = body.nextCursor as string;
    }
    expect([...seen].sort()).toEqual([...byPosition].sort());
    expect(new Set(seen).size).toBe(seen.length);
    for (const query of ['?cursor=abc', '?cursor=1', '?cursor=1.2&after=3'])
      expect((await call(query, cookie())).status, query).toBe(400);
  });

  it('400 problem for bad parameters', async () => {
    for (const query of [
      '?after=-1',
      '?after=abc',
      '?after=1.5',
      `?after=${2n ** 63n}`,
      '?limit=0',
      '?limit=1001',
      '?limit=ten',
      '?limit=',
      '?after=1&after=2',
    ]) {
      const response = await call(query, cookie());
      expect(response.status, query).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(response.body).toMatchObject({
        type: '/problems/invalid-request',
        errors: [expect.objectContaining({ parameter: expect.any(String) })],
      });
    }
    expect((await call('?after=0&limit=1000', cookie())).status).toBe(200);
    expect((await call('?limit=1', cookie())).status).toBe(200);
  });
});
