import { afterAll, beforeAll } from 'vitest';
import type { Auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { freshDatabase } from './db';

// Helpers for integration tests that drive better-auth over HTTP, in process (its handler).

export const TEST_ORIGIN = 'http://localhost:3000';
export const testAuthEnv = {
  BETTER_AUTH_URL: TEST_ORIGIN,
  BETTER_AUTH_SECRET: 'integration-test-secret-0123456789abcdef',
};

let n = 0;
/** A client address of its own, so that rate-limit counts never mix between tests. */
export const freshIp = () => `198.51.${Math.floor(Math.random() * 200) + 1}.${(++n % 250) + 1}`;
export const uniqueEmail = (label = 'customer') =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;

export async function post(
  instance: Auth,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return instance.handler(
    new Request(`${TEST_ORIGIN}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, 'x-forwarded-for': freshIp(), ...headers },
      body: JSON.stringify(body),
    }),
  );
}

/** `name=value` of the session cookie a response set, for a Cookie header. */
export function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('idem.session_token='));
  if (!cookie) throw new Error(`no session cookie (HTTP ${response.status})`);
  return cookie.split(';')[0]!;
}

/**
 * A signed-in customer whose email is verified: signs up over HTTP, marks the address verified as
 * following the mailed link would (tests of the link itself: lib/mail/mail.int.test.ts and
 * e2e/mail.spec.ts), then signs in for the session cookie.
 */
export async function signUp(instance: Auth, options: { name?: string; email?: string; password?: string } = {}) {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? 'correct horse battery';
  const response = await post(instance, '/sign-up/email', { name: options.name ?? 'Ada Lovelace', email, password });
  if (response.status !== 200) throw new Error(`sign-up failed: HTTP ${response.status} ${await response.text()}`);
  const { user } = (await response.json()) as { user: { id: string } };
  await (await instance.$context).internalAdapter.updateUser(user.id, { emailVerified: true });
  const signedIn = await post(instance, '/sign-in/email', { email, password });
  if (signedIn.status !== 200)
    throw new Error(`sign-in after sign-up failed: HTTP ${signedIn.status} ${await signedIn.text()}`);
  return { id: user.id, email, password, cookie: sessionCookie(signedIn) };
}

/**
 * For a test file that calls the app in process: a fresh database as DATABASE_URL, with the test
 * auth settings, made before its tests and dropped after them (the app's client disconnected first).
 * Call it at the top level of the file; the URLs are there once its tests run.
 */
export function appDatabase(): { readonly url: string; readonly ownerUrl: string } {
  const urls = { url: '', ownerUrl: '' };
  let drop = async () => {};
  beforeAll(async () => {
    const fresh = await freshDatabase();
    Object.assign(process.env, testAuthEnv, { DATABASE_URL: fresh.url });
    Object.assign(urls, { url: fresh.url, ownerUrl: fresh.ownerUrl });
    drop = fresh.drop;
  });
  afterAll(async () => {
    await db().$disconnect();
    await drop();
  });
  return urls;
}
