import 'server-only';
import { randomUUID } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, getIP } from 'better-auth/api';
import { addressPrefix } from '@/lib/auth/address-prefix';
import { canonicalEmail } from '@/lib/auth/forms';
import type { Db } from '@/lib/db/prisma';

// Rate limits on the auth endpoints, stored in PostgreSQL (table rate_limits) so that every app
// instance counts the same attempts. better-auth's own limiter (storage 'database') counts per
// client address and path; its window starts again only once `window` seconds have passed since
// the last allowed request. The rules below are deliberate, not the library's defaults.
//
// Sign-in has two counts, and only one of them is ever cleared:
//   - per client address, every attempt (right or wrong) counts and NOTHING resets it: an attacker
//     who signs in to an account of their own between guesses gains no new guesses;
//   - per (email, network of the address: /24 or /64), wrong guesses lock that email out from that
//     network only; a successful sign-in clears that one bucket. A stranger elsewhere cannot lock a
//     customer out, and one person's typos on a shared address do not lock out everyone behind it.

export const RATE_LIMITS = {
  /** Any auth endpoint, per client address. */
  default: { window: 60, max: 120 },
  /** Sign-in attempts per client address, right or wrong; a success never clears it. */
  signIn: { window: 15 * 60, max: 30 },
  /** Password guesses per email from one network (/24, /64); a successful sign-in clears it. */
  signInPerEmail: { window: 15 * 60, max: 5 },
  /** Account creation per client address. */
  signUp: { window: 60 * 60, max: 10 },
  /** Passkey ceremonies per client address (options + verification are two requests). */
  passkey: { window: 60, max: 30 },
} as const;

export const customRules = {
  '/sign-in/email': RATE_LIMITS.signIn,
  '/sign-up/email': RATE_LIMITS.signUp,
  '/passkey/*': RATE_LIMITS.passkey,
  '/sign-in/passkey': RATE_LIMITS.passkey,
};

/** Response header of a refused password: how many guesses this email has left from this network. */
export const ATTEMPTS_LEFT_HEADER = 'x-sign-in-attempts-left';

const SIGN_IN = '/sign-in/email';
const normalized = (email: string) => canonicalEmail(email.trim().toLowerCase()).slice(0, 320);
const emailKey = (email: string, prefix: string) => `email:${normalized(email)}|net:${prefix}|${SIGN_IN}`;

/** Control characters (NUL above all: PostgreSQL refuses it in text) are never part of an email. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * One guess for (email, network). One statement decides, with the same window semantics as the
 * library's: the row lock on `key` serializes concurrent attempts from every instance, and a
 * refused attempt does not extend the window.
 */
async function consumeEmailAttempt(
  prisma: Db,
  email: string,
  prefix: string,
  now = Date.now(),
): Promise<{ allowed: boolean; attemptsLeft: number; retryAfterSeconds: number }> {
  const { window, max } = RATE_LIMITS.signInPerEmail;
  const windowStart = BigInt(now - window * 1000);
  const rows = await prisma.$queryRaw<{ count: number; last_request: bigint }[]>`
    INSERT INTO rate_limits (id, key, count, last_request) VALUES (${randomUUID()}, ${emailKey(email, prefix)}, 1, ${BigInt(now)})
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.last_request <= ${windowStart} THEN 1 ELSE rate_limits.count + 1 END,
      last_request = CASE WHEN rate_limits.last_request <= ${windowStart} OR rate_limits.count < ${max} THEN ${BigInt(now)} ELSE rate_limits.last_request END
    RETURNING count, last_request`;
  const row = rows[0]!;
  if (row.count <= max) return { allowed: true, attemptsLeft: max - row.count, retryAfterSeconds: 0 };
  return {
    allowed: false,
    attemptsLeft: 0,
    retryAfterSeconds: Math.max(1, Math.ceil((Number(row.last_request) + window * 1000 - now) / 1000)),
  };
}

const prefixOf = (ctx: { request?: Request; context: { options: Parameters<typeof getIP>[1] } }) =>
  addressPrefix(ctx.request ? getIP(ctx.request, ctx.context.options) : null);

/** Sign-in limits the library does not have: per (email, network), cleared by that email's success only. */
export function signInLimits(prisma: Db): BetterAuthPlugin {
  return {
    id: 'idem-sign-in-limits',
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === SIGN_IN,
          handler: createAuthMiddleware(async (ctx) => {
            const email = typeof ctx.body?.email === 'string' ? ctx.body.email : '';
            if (!email) return;
            // Refused before anything reaches PostgreSQL (which cannot store NUL in text).
            if (CONTROL.test(email))
              throw new APIError('BAD_REQUEST', {
                message: 'An email address cannot contain control characters (such as NUL).',
                code: 'INVALID_EMAIL',
              });
            const { allowed, attemptsLeft, retryAfterSeconds } = await consumeEmailAttempt(
              prisma,
              email,
              prefixOf(ctx),
            );
            if (!allowed)
              throw new APIError(
                'TOO_MANY_REQUESTS',
                { message: 'Too many sign-in attempts.', code: 'RATE_LIMITED' },
                { 'X-Retry-After': String(retryAfterSeconds) },
              );
            // Read by the sign-in form on a wrong password (a success clears the count anyway).
            ctx.setHeader(ATTEMPTS_LEFT_HEADER, String(attemptsLeft));
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === SIGN_IN,
          handler: createAuthMiddleware(async (ctx) => {
            if (!ctx.context.newSession || typeof ctx.body?.email !== 'string') return;
            // Only this email's guesses from this network; the per-address count stays.
            await prisma.$executeRaw`DELETE FROM rate_limits WHERE key = ${emailKey(ctx.body.email, prefixOf(ctx))}`;
          }),
        },
      ],
    },
  };
}
