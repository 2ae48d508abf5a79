import 'server-only';
import { adminConfig, type AdminConfig } from '@/lib/admin/config';
import { verifyPassword } from '@/lib/admin/password';
import { clearLoginAttempts, loginKeys, reserveLoginAttempt } from '@/lib/admin/rate-limit';
import { constantTimeEqual, signSession, SESSION_TTL_SECONDS } from '@/lib/admin/session';
import type { Db } from '@/lib/db/prisma';

export const INCORRECT = 'Email or password is incorrect.';

export type SignInResult =
  | { ok: true; token: string; maxAgeSeconds: number }
  | { ok: false; reason: 'incorrect' | 'rate-limited' | 'not-configured'; message: string };

/**
 * Rate limit first (the attempt is counted before any work), then the email and the password, both
 * always checked so that a wrong email costs the same scrypt time as a wrong password. One generic
 * message for every wrong combination.
 */
export async function signIn(
  db: Db,
  input: { email: string; password: string; clientIp: string },
  options: { now?: Date; config?: AdminConfig } = {},
): Promise<SignInResult> {
  const config = options.config ?? adminConfig();
  if (!config.configured) return { ok: false, reason: 'not-configured', message: 'Admin sign-in is not configured on this server.' };
  const now = options.now ?? new Date();
  const email = input.email.trim().slice(0, 320);
  const keys = loginKeys(input.clientIp, email);

  const reservation = await reserveLoginAttempt(db, keys, { now });
  if (!reservation.allowed) {
    const minutes = Math.ceil(reservation.retryAfterSeconds / 60);
    return { ok: false, reason: 'rate-limited', message: `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` };
  }

  const emailMatches = constantTimeEqual(email.toLowerCase(), config.email.toLowerCase());
  const passwordMatches = input.password.length <= 1024 && (await verifyPassword(input.password, config.passwordHash));
  if (!(emailMatches && passwordMatches)) return { ok: false, reason: 'incorrect', message: INCORRECT };

  await clearLoginAttempts(db, keys);
  return { ok: true, token: signSession(config, config.sessionSecret, now), maxAgeSeconds: SESSION_TTL_SECONDS };
}

/**
 * The client's address for the per-address limit: the last X-Forwarded-For entry (added by the
 * nearest proxy; `next start` sets it from the socket when absent). A client talking to Next
 * directly can forge it, which is why the per-email limit exists too.
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return (forwarded || headers.get('x-real-ip') || 'unknown').slice(0, 100);
}

/** Cookies are Secure when the request came over https (directly or via a proxy that says so). */
export const isHttps = (headers: Headers) => headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
