import 'server-only';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Stateless admin sessions: `v1.<payload>.<signature>`, payload = base64url JSON
// { sub: email, iat, exp (epoch seconds), pwd: a digest of the password hash }, signature =
// HMAC-SHA256(ADMIN_SESSION_SECRET, "v1.<payload>"), base64url. Any instance holding the secret
// can verify it; nothing lives in process memory. Changing the email, the password or the secret
// ends every session.

export const SESSION_COOKIE = 'idem_admin_session';
export const SESSION_TTL_SECONDS = 8 * 60 * 60;
const VERSION = 'v1';
const CLOCK_SKEW_SECONDS = 60;

export type AdminIdentity = { email: string; passwordHash: string };
export type AdminSession = { email: string; issuedAt: Date; expiresAt: Date };
type Payload = { sub: string; iat: number; exp: number; pwd: string };

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();
const digest = (value: string) => createHash('sha256').update(value).digest();
/** Binds a session to the password hash it was issued under, without putting the hash in the cookie. */
const passwordTag = (passwordHash: string) => digest(`idem-admin-session:${passwordHash}`).subarray(0, 12).toString('base64url');

/** Equal-length digests compared in constant time; the inputs' lengths leak nothing either. */
export const constantTimeEqual = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function signSession(identity: AdminIdentity, secret: string, now = new Date(), ttlSeconds = SESSION_TTL_SECONDS): string {
  const iat = seconds(now);
  const payload: Payload = { sub: identity.email, iat, exp: iat + ttlSeconds, pwd: passwordTag(identity.passwordHash) };
  const body = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

/** The session, if the token is ours, untampered, unexpired and issued for the current admin. */
export function verifySession(token: string | undefined, secret: string, identity: AdminIdentity, now = new Date()): AdminSession | null {
  if (!token || token.length > 1024) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const [, encoded, signature] = parts as [string, string, string];
  const expected = sign(secret, `${VERSION}.${encoded}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;

  let payload: Partial<Payload>;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Partial<Payload>;
  } catch {
    return null;
  }
  const { sub, iat, exp, pwd } = payload;
  if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number' || typeof pwd !== 'string') return null;
  const at = seconds(now);
  if (exp <= at || iat > at + CLOCK_SKEW_SECONDS || exp - iat > SESSION_TTL_SECONDS) return null;
  if (!constantTimeEqual(sub.toLowerCase(), identity.email.toLowerCase()) || !constantTimeEqual(pwd, passwordTag(identity.passwordHash))) return null;
  return { email: sub, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
}
