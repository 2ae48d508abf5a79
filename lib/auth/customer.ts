import 'server-only';
import { defaultKeyHasher } from '@better-auth/api-key';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from '@/lib/auth/auth';
import { signInPath } from '@/lib/auth/next-path';
import { authConfig } from '@/lib/auth/config';
import { keyScopes, SESSION_REFRESH_SECONDS, withinAbsoluteLimit, type ApiKeyScope } from '@/lib/auth/policy';
import { verdictCache } from '@/lib/auth/verdict-cache';
import { loadConfig } from '@/lib/config';
import { db } from '@/lib/db/prisma';
import { isConnectionError } from '@/lib/db/connection-errors';

// Who is calling. Sessions, keys and the user's ban flag live in PostgreSQL; an instance remembers a
// verified key or session for a short lease (lib/auth/verdict-cache.ts) and forgets it the moment
// PostgreSQL notifies a change, so a sign-out, a revoked key or a disabled customer takes effect on
// every instance within the notification's delivery (milliseconds; measured in bench/RESULTS.md).

export type Customer = { id: string; name: string; email: string; role: 'customer' | 'admin' };

type UserRow = {
  id: string;
  name: string;
  email: string;
  role?: string | null;
  banned?: boolean | null;
  banExpires?: Date | null;
};

/** A session cookie, an API key, nobody, or a disabled customer's credentials. (Request budgets: lib/http/api-limits.ts.) */
export type RequestIdentity =
  | { status: 'customer'; customer: Customer; via: 'session' }
  | { status: 'customer'; customer: Customer; via: 'api-key'; keyId: string; scopes: ApiKeyScope[] }
  | { status: 'anonymous'; badKey?: true }
  | { status: 'disabled' };

/** Disabled by an admin (better-auth's ban), and the ban has not run out. */
const isDisabled = (user: UserRow, now = Date.now()) =>
  !!user.banned && !(user.banExpires && user.banExpires.getTime() < now);

function toCustomer(user: UserRow, now = Date.now()): Customer | null {
  if (isDisabled(user, now)) return null;
  const admin = (user.role ?? '').split(',').some((role) => role.trim() === 'admin');
  return { id: user.id, name: user.name, email: user.email, role: admin ? 'admin' : 'customer' };
}

/** The process's verdict cache (IDEM_AUTH_CACHE_SECONDS; 0 reads PostgreSQL on every request). */
function verdicts() {
  const config = loadConfig();
  // Behind a transaction pooler (IDEM_PREPARED_STATEMENTS=off: old PgBouncer) a LISTEN is not kept
  // on one server connection, so notifications could be lost: nothing is remembered there.
  const lease = config.IDEM_PREPARED_STATEMENTS === 'off' ? 0 : (config.IDEM_AUTH_CACHE_SECONDS ?? 30);
  return verdictCache(config.DATABASE_URL ?? '', lease);
}

type SessionVerdict = { user: UserRow; createdAt: Date } | null;

async function sessionUser(requestHeaders: Headers): Promise<UserRow | null> {
  const cookie = requestHeaders.get('cookie');
  if (!cookie) return null;
  // Keyed by the whole Cookie header: the same header is the same input to better-auth's lookup.
  const verdict = await verdicts().remember<SessionVerdict>(`session:${cookie}`, () => readSession(requestHeaders));
  // The refresh never moves the expiry past the absolute limit (lib/auth/auth.ts); this also refuses
  // the one request that would otherwise still be served while doing that last refresh.
  if (!verdict || !withinAbsoluteLimit(verdict.createdAt)) return null;
  return verdict.user;
}

/**
 * The session as better-auth reads it (and refreshes it: the idle timeout moves at most once a
 * minute). Remembered only until that refresh is due, so a remembered session never skips one.
 */
async function readSession(requestHeaders: Headers): Promise<{ value: SessionVerdict; until: number | null }> {
  try {
    const session = await auth().api.getSession({ headers: requestHeaders, query: { disableCookieCache: true } });
    if (!session) return { value: null, until: null };
    const expiresAt = new Date(session.session.expiresAt).getTime();
    const refreshDue = expiresAt - authConfig().sessionIdleSeconds * 1000 + SESSION_REFRESH_SECONDS * 1000;
    return {
      value: { user: session.user, createdAt: new Date(session.session.createdAt) },
      until: Math.min(expiresAt, refreshDue),
    };
  } catch (error) {
    // better-auth wraps a failed session query in its own INTERNAL_SERVER_ERROR (FAILED_TO_GET_SESSION)
    // with the driver's error as `cause`: a database that cannot answer now is a 503 (retry), not a 500.
    const cause = (error as { cause?: unknown } | null)?.cause;
    if (cause !== undefined && isConnectionError(cause)) throw new IdentityUnavailable('the session could not be read');
    throw error;
  }
}

async function sessionCustomer(requestHeaders: Headers): Promise<Customer | null> {
  const user = await sessionUser(requestHeaders);
  return user ? toCustomer(user) : null;
}

/** Whether a key that failed verification belongs to a disabled customer (their keys are switched off with them). */
async function keyOfDisabledCustomer(key: string): Promise<boolean> {
  const row = await db().apiKey.findUnique({ where: { key: await defaultKeyHasher(key) }, select: { user: true } });
  return !!row && isDisabled(row.user);
}

/** The signed-in customer of this page or server action, or null. */
export async function currentCustomer(): Promise<Customer | null> {
  return sessionCustomer(await headers());
}

/** For customer pages and server actions: the customer, or a redirect to `/sign-in?next=<nextPath>`. */
export async function requireCustomer(nextPath: string): Promise<Customer> {
  const customer = await currentCustomer();
  if (customer) return customer;
  redirect(signInPath(nextPath));
}

const BEARER = /^Bearer[ ]+([\x21-\x7e]{1,512})[ ]*$/i;

/**
 * For route handlers. `Authorization: Bearer <api key>` when the header is present (a bad key is
 * refused, never retried as a cookie), otherwise the session cookie.
 */
export async function identifyRequest(request: Request): Promise<RequestIdentity> {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const key = BEARER.exec(authorization)?.[1];
    if (!key) return { status: 'anonymous', badKey: true };
    return verdicts().remember(`key:${key}`, () => verifyKey(key));
  }
  // A disabled customer's sessions are deleted with the ban; one left in place by other tooling is refused by name.
  const user = await sessionUser(request.headers);
  if (user && isDisabled(user)) return { status: 'disabled' };
  const customer = user ? toCustomer(user) : null;
  return customer ? { status: 'customer', customer, via: 'session' } : { status: 'anonymous' };
}

/** A key's verdict; a valid one is remembered until the key expires (or the cache's lease ends). */
async function verifyKey(key: string): Promise<{ value: RequestIdentity; until: number | null }> {
  const refused = (value: RequestIdentity) => ({ value, until: null });
  let verified = await auth().api.verifyApiKey({ body: { key } });
  // better-auth answers a key it could not read (its query failed: a dropped connection, a database
  // restarting) exactly like an unknown key. A valid key must never get a 401 for that — clients
  // take a 401 as final — so when the key is stored and usable, verify it once more; a database
  // that cannot answer now throws a connection error (503, retry with the same Idempotency-Key).
  if (!verified.valid && verifyErrorCode(verified.error) === 'INVALID_API_KEY' && (await isUsableStoredKey(key))) {
    verified = await auth().api.verifyApiKey({ body: { key } });
    if (!verified.valid && verifyErrorCode(verified.error) === 'INVALID_API_KEY') throw new IdentityUnavailable();
  }
  if (!verified.valid || !verified.key) {
    const error = verified.error as { code?: string } | null;
    if (error?.code === 'KEY_DISABLED' && (await keyOfDisabledCustomer(key))) return refused({ status: 'disabled' });
    return refused({ status: 'anonymous', badKey: true });
  }
  const user = await db().user.findUnique({ where: { id: verified.key.referenceId } });
  if (user && isDisabled(user)) return refused({ status: 'disabled' });
  const customer = user ? toCustomer(user) : null;
  if (!customer) return refused({ status: 'anonymous', badKey: true });
  const expiresAt = verified.key.expiresAt ? new Date(verified.key.expiresAt).getTime() : Number.POSITIVE_INFINITY;
  return {
    value: {
      status: 'customer',
      customer,
      via: 'api-key',
      keyId: verified.key.id,
      scopes: keyScopes(verified.key.permissions),
    },
    until: expiresAt,
  };
}

/** A stored API key or a session could not be verified (better-auth's database access failed): answered 503, never 401 or 500. */
export class IdentityUnavailable extends Error {
  constructor(message = 'the API key is stored but could not be verified') {
    super(message);
    this.name = 'IdentityUnavailable';
  }
}

const verifyErrorCode = (error: unknown): string | undefined => (error as { code?: string } | null)?.code;

/** The key's row exists, is enabled and has not expired (as better-auth stores it: a SHA-256 hash). */
async function isUsableStoredKey(key: string): Promise<boolean> {
  const row = await db().apiKey.findUnique({
    where: { key: await defaultKeyHasher(key) },
    select: { enabled: true, expiresAt: true },
  });
  return row !== null && row.enabled !== false && (row.expiresAt === null || row.expiresAt.getTime() > Date.now());
}

/** The customer behind a route handler's request (session cookie or API key), or null. */
export async function authenticateRequest(request: Request): Promise<Customer | null> {
  const identity = await identifyRequest(request);
  return identity.status === 'customer' ? identity.customer : null;
}
