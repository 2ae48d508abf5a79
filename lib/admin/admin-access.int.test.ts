import { randomUUID } from 'node:crypto';
import type { ReactElement } from 'react';
import { renderToReadableStream } from 'react-dom/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { hashPassword } from '@/lib/admin/password';
import { SESSION_COOKIE, signSession } from '@/lib/admin/session';
import { db } from '@/lib/db/prisma';
import { freshDatabase } from '@/test/db';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountId } from '@/lib/domain/account-id';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// requireAdmin in every admin page and server action, and the admin API route, called in-process.
// next/headers is replaced by a cookie jar and request headers this file controls.

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

const PASSWORD = 'the admin password';
const SECRET = 'q'.repeat(48);
const TOKEN = 't'.repeat(40);
let passwordHash: string;
let drop: () => Promise<void>;
let accountId: AccountId;
let commandId: string;

beforeAll(async () => {
  const fresh = await freshDatabase();
  process.env.DATABASE_URL = fresh.url;
  drop = fresh.drop;
  passwordHash = await hashPassword(PASSWORD);
  accountId = newAccountId();
  commandId = randomUUID();
  await handleAccountCommand({ type: 'OpenAccount', data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Ada', openingDepositCents: 10_000 }, metadata: { commandId, now: new Date(), customerId: CUSTOMER } });
});
afterAll(async () => {
  await db().$disconnect();
  await drop();
});
beforeEach(() => {
  Object.assign(process.env, { ADMIN_EMAIL: 'root@example.test', ADMIN_PASSWORD_HASH: passwordHash, ADMIN_SESSION_SECRET: SECRET });
  delete process.env.ADMIN_API_TOKEN;
  jar.clear();
  requestHeaders = new Headers({ 'x-forwarded-for': '192.0.2.10', 'x-forwarded-proto': 'http' });
});

/** Pages are server components; render what they return (suspending children included) to HTML. */
async function html(element: unknown): Promise<string> {
  const stream = await renderToReadableStream(element as ReactElement);
  await stream.allReady;
  return new Response(stream).text();
}

const validSession = () => signSession({ email: 'root@example.test', passwordHash }, SECRET);

async function redirectOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? '';
    if (digest.startsWith('NEXT_REDIRECT;')) return digest.split(';')[2]!;
    throw error;
  }
  throw new Error('expected a redirect');
}

const search = (params: Record<string, string> = {}) => ({ searchParams: Promise.resolve(params) });
const pages = {
  '/admin': async () => (await import('@/app/admin/page')).default(),
  '/admin/events': async () => (await import('@/app/admin/events/page')).default(search()),
  '/admin/events/1': async () => (await import('@/app/admin/events/[position]/page')).default({ params: Promise.resolve({ position: '1' }) }),
  '/admin/streams': async () => (await import('@/app/admin/streams/page')).default(search()),
  '/admin/streams/account-x': async () =>
    (await import('@/app/admin/streams/[streamId]/page')).default({ params: Promise.resolve({ streamId: `account-${accountId}` }) }),
  '/admin/commands': async () => (await import('@/app/admin/commands/page')).default(search()),
  '/admin/commands/x': async () => (await import('@/app/admin/commands/[commandId]/page')).default({ params: Promise.resolve({ commandId }) }),
};

const expected: Record<keyof typeof pages, () => string> = {
  '/admin': () => 'aria-labelledby="daily-totals"',
  '/admin/events': () => `account-${accountId}`,
  '/admin/events/1': () => `href="/admin/commands/${commandId}"`,
  '/admin/streams': () => `href="/admin/streams/account-${accountId}"`,
  '/admin/streams/account-x': () => '$100.00',
  '/admin/commands': () => commandId,
  '/admin/commands/x': () => 'MoneyDeposited',
};

describe('requireAdmin in every admin page', () => {
  for (const [path, render] of Object.entries(pages)) {
    it(`${path}: redirects to sign-in without a session, with a tampered one, and when not configured`, async () => {
      expect(await redirectOf(render)).toMatch(/^\/admin\/sign-in\?next=%2Fadmin/);
      jar.set(SESSION_COOKIE, { value: `${validSession()}x` });
      expect(await redirectOf(render)).toMatch(/^\/admin\/sign-in/);
      jar.set(SESSION_COOKIE, { value: validSession() });
      delete process.env.ADMIN_SESSION_SECRET;
      expect(await redirectOf(render)).toMatch(/^\/admin\/sign-in/);
    });

    it(`${path}: renders with a valid session`, async () => {
      jar.set(SESSION_COOKIE, { value: validSession() });
      expect(await html(await render())).toContain(expected[path as keyof typeof pages]());
    });
  }

  it('the sign-in page says sign-in is not configured (and shows no form) when the variables are missing', async () => {
    const { default: SignInPage } = await import('@/app/admin/sign-in/page');
    delete process.env.ADMIN_PASSWORD_HASH;
    const page = await html(await SignInPage(search()));
    expect(page).toContain('Admin sign-in is not configured on this server.');
    expect(page).toContain('ADMIN_PASSWORD_HASH is not set');
    expect(page).not.toContain('type="password"');
  });

  it('a session signed with another secret, or expired, is refused', async () => {
    jar.set(SESSION_COOKIE, { value: signSession({ email: 'root@example.test', passwordHash }, 'z'.repeat(48)) });
    expect(await redirectOf(pages['/admin'])).toMatch(/^\/admin\/sign-in/);
    jar.set(SESSION_COOKIE, { value: signSession({ email: 'root@example.test', passwordHash }, SECRET, new Date(Date.now() - 8 * 3600_000 - 1000)) });
    expect(await redirectOf(pages['/admin'])).toMatch(/^\/admin\/sign-in/);
  });
});

describe('admin server actions', () => {
  it('signOutAction without a session redirects to sign-in and changes nothing', async () => {
    const { signOutAction } = await import('@/app/admin/actions');
    jar.set('other', { value: 'kept' });
    expect(await redirectOf(signOutAction)).toBe('/admin/sign-in');
    expect([...jar.keys()]).toEqual(['other']);
  });

  it('signOutAction with a session clears the cookie', async () => {
    const { signOutAction } = await import('@/app/admin/actions');
    jar.set(SESSION_COOKIE, { value: validSession() });
    expect(await redirectOf(signOutAction)).toBe('/admin/sign-in?signed-out=1');
    expect(jar.has(SESSION_COOKIE)).toBe(false);
  });

  it('signInAction: generic error on wrong credentials; on success an httpOnly, SameSite=Lax, 8-hour cookie (Secure over https)', async () => {
    const { signInAction } = await import('@/app/admin/actions');
    const form = (fields: Record<string, string>) => Object.entries(fields).reduce((f, [k, v]) => (f.append(k, v), f), new FormData());
    const initial = { error: null, email: '' };
    expect(await signInAction(initial, form({ email: 'root@example.test', password: 'nope' }))).toEqual({ error: 'Email or password is incorrect.', email: 'root@example.test' });
    expect(jar.has(SESSION_COOKIE)).toBe(false);

    requestHeaders = new Headers({ 'x-forwarded-for': '192.0.2.11', 'x-forwarded-proto': 'https' });
    const target = await redirectOf(() => signInAction(initial, form({ email: 'root@example.test', password: PASSWORD, next: '/admin/commands' })));
    expect(target).toBe('/admin/commands');
    expect(jar.get(SESSION_COOKIE)!.options).toEqual({ httpOnly: true, sameSite: 'lax', secure: true, path: '/', maxAge: 8 * 3600 });
    expect(await html(await pages['/admin']())).toContain('Event history');
  });

  it('signInAction never redirects outside the admin area', async () => {
    const { signInAction } = await import('@/app/admin/actions');
    for (const next of ['https://evil.example', '//evil.example', '/\\evil.example', '/admin/sign-in', '/accounts']) {
      jar.clear();
      const form = new FormData();
      form.append('email', 'root@example.test');
      form.append('password', PASSWORD);
      form.append('next', next);
      expect(await redirectOf(() => signInAction({ error: null, email: '' }, form))).toBe('/admin');
    }
  });
});

describe('GET /api/admin/events', () => {
  const call = async (query: string, headers: Record<string, string> = {}) => {
    const { GET } = await import('@/app/api/admin/events/route');
    const response = await GET(new Request(`http://127.0.0.1:3000/api/admin/events${query}`, { headers }));
    return { status: response.status, type: response.headers.get('content-type'), headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };
  const cookie = () => ({ cookie: `theme=dark; ${SESSION_COOKIE}=${validSession()}` });

  it('401 problem without credentials, with a bad cookie or a bearer token when none is configured', async () => {
    for (const headers of [{}, { cookie: `${SESSION_COOKIE}=v1.a.b` }, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const response = await call('', headers);
      expect(response.status).toBe(401);
      expect(response.type).toBe('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="idem-admin"');
      expect(response.body).toMatchObject({ type: '/problems/unauthorized', status: 401 });
    }
  });

  it('403 problem when admin access is not configured', async () => {
    delete process.env.ADMIN_PASSWORD_HASH;
    const response = await call('', cookie());
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/problems/forbidden' });
  });

  it('accepts the session cookie, and Authorization: Bearer <ADMIN_API_TOKEN> when set (not a wrong one)', async () => {
    expect((await call('', cookie())).status).toBe(200);
    process.env.ADMIN_API_TOKEN = TOKEN;
    expect((await call('', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await call('', { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await call('', { authorization: TOKEN })).status).toBe(401);
  });

  it('pages through the log ascending by position, with next while more events exist', async () => {
    for (let i = 0; i < 3; i++) {
      const id = newAccountId();
      await handleAccountCommand({ type: 'OpenAccount', data: { accountId: id, accountNumber: testAccountNumber(id), owner: `Owner ${i}`, openingDepositCents: 100 }, metadata: { commandId: randomUUID(), now: new Date(), customerId: CUSTOMER } });
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
    expect((second.body.events as { globalPosition: string }[]).map((e) => BigInt(e.globalPosition))).toEqual(positions.slice(3));
    expect((second.body.events as Record<string, unknown>[])[0]).toEqual({
      globalPosition: expect.any(String),
      streamId: expect.stringMatching(/^account-/),
      version: expect.any(Number),
      type: expect.any(String),
      data: expect.any(Object),
      metadata: expect.objectContaining({ causationId: expect.any(String), correlationId: expect.any(String) }),
      commandId: expect.any(String),
      createdAt: expect.stringMatching(/Z$/),
    });
    expect((await call(`?after=${positions.at(-1)}`, cookie())).body).toEqual({ events: [], next: null, nextCursor: null });
    expect((await call('', cookie())).body.events).toHaveLength(positions.length); // default limit 100
  });

  it('cursor mode: every event exactly once, in commit order, page by page', async () => {
    const byPosition = ((await call('?after=0&limit=1000', cookie())).body.events as { globalPosition: string }[]).map((e) => e.globalPosition);
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
    for (const query of ['?cursor=abc', '?cursor=1', '?cursor=1.2&after=3']) expect((await call(query, cookie())).status, query).toBe(400);
  });

  it('400 problem for bad parameters', async () => {
    for (const query of ['?after=-1', '?after=abc', '?after=1.5', `?after=${2n ** 63n}`, '?limit=0', '?limit=1001', '?limit=ten', '?limit=', '?after=1&after=2']) {
      const response = await call(query, cookie());
      expect(response.status, query).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(response.body).toMatchObject({ type: '/problems/invalid-request', errors: [expect.objectContaining({ parameter: expect.any(String) })] });
    }
    expect((await call('?after=0&limit=1000', cookie())).status).toBe(200);
    expect((await call('?limit=1', cookie())).status).toBe(200);
  });
});
