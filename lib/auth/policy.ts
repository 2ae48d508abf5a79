// How long a credential lives and what it may do (README, "Identity"). Pure: no I/O, so the auth
// instance, the pages and the tests share one set of numbers.

/** A session ends after this long without a request (IDEM_SESSION_IDLE_MINUTES, default 30). */
export const DEFAULT_SESSION_IDLE_MINUTES = 30;
/** …and this long after sign-in, however active (a stolen cookie does not live on forever). */
export const SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60;
/** A session's expiry moves forward at most once a minute (one write a minute, not one per request). */
export const SESSION_REFRESH_SECONDS = 60;

/** Adding a credential (API key, passkey) needs a sign-in this recent, or the password again. */
export const FRESH_AUTH_SECONDS = 10 * 60;

/** API keys: 90 days unless the customer chooses, at most a year. */
export const API_KEY_DEFAULT_DAYS = 90;
export const API_KEY_MAX_DAYS = 365;
export const API_KEY_MIN_DAYS = 1;

/** What a key may do: `read` everything of its owner's, `write` moves money and changes state. */
const API_KEY_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/** Stored as better-auth's key permissions under this one resource: `{"ledger":["read","write"]}`. */
export const SCOPE_RESOURCE = 'ledger';
export const FULL_ACCESS: Record<string, ApiKeyScope[]> = { [SCOPE_RESOURCE]: ['read', 'write'] };

/** The scopes of a stored key; a key without any (which no path creates) may only read. */
export function keyScopes(permissions: unknown): ApiKeyScope[] {
  let parsed = permissions;
  if (typeof permissions === 'string') {
    try {
      parsed = JSON.parse(permissions);
    } catch {
      return ['read'];
    }
  }
  const listed = (parsed as Record<string, unknown> | null)?.[SCOPE_RESOURCE];
  if (!Array.isArray(listed)) return ['read'];
  const scopes = API_KEY_SCOPES.filter((scope) => listed.includes(scope));
  return scopes.includes('read') ? scopes : ['read', ...scopes];
}

/** A session's expiry: the idle limit from now, never past the absolute limit from its sign-in. */
export function sessionExpiry(createdAt: Date, now: Date, idleSeconds: number): Date {
  return new Date(Math.min(now.getTime() + idleSeconds * 1000, createdAt.getTime() + SESSION_ABSOLUTE_SECONDS * 1000));
}

/** Signed in (password or passkey) within FRESH_AUTH_SECONDS. */
export const isFreshSignIn = (createdAt: Date, now = new Date()) =>
  now.getTime() - createdAt.getTime() < FRESH_AUTH_SECONDS * 1000;

/** Signed in less than SESSION_ABSOLUTE_SECONDS ago. */
export const withinAbsoluteLimit = (createdAt: Date, now = new Date()) =>
  now.getTime() - createdAt.getTime() < SESSION_ABSOLUTE_SECONDS * 1000;
