import 'server-only';
import { randomUUID } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, getIP } from 'better-auth/api';
import type { Db } from '@/lib/db/prisma';

// Rate limits on the auth endpoints, stored in PostgreSQL (table rate_limits) so that every app
// instance counts the same attempts. better-auth's own limiter (storage 'database') counts per
// client address and path; its window starts again only once `window` seconds have passed since
// the last allowed request. The rules below are deliberate, not the library's defaults.

export const RATE_LIMITS = {
  /** Any auth endpoint, per client address. */
  default: { window: 60, max: 120 },
  /** Password guesses per client address (a successful sign-in clears the address's count). */
  signIn: { window: 15 * 60, max: 5 },
  /** Password guesses per email from anywhere: a forged client address gains nothing. */
  signInPerEmail: { window: 15 * 60, max: 20 },
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

const SIGN_IN = '/sign-in/email';
const emailKey = (email: string) => `email:${email.trim().toLowerCase().slice(0, 320)}|${SIGN_IN}`;

/**
 * The per-email bucket that better-auth's limiter (per address only) does not have. One statement
 * decides, with the same window semantics as the library's: the row lock on `key` serializes
 * concurrent attempts from every instance, and a refused attempt does not extend the window.
 */
async function consumeEmailAttempt(prisma: Db, email: string, now = Date.now()): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const { window, max } = RATE_LIMITS.signInPerEmail;
  const windowStart = BigInt(now - window * 1000);
  const rows = await prisma.$queryRaw<{ count: number; last_request: bigint }[]>`
    INSERT INTO rate_limits (id, key, count, last_request) VALUES (${randomUUID()}, ${emailKey(email)}, 1, ${BigInt(now)})
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.last_request <= ${windowStart} THEN 1 ELSE rate_limits.count + 1 END,
      last_request = CASE WHEN rate_limits.last_request <= ${windowStart} OR rate_limits.count < ${max} THEN ${BigInt(now)} ELSE rate_limits.last_request END
    RETURNING count, last_request`;
  const row = rows[0]!;
  if (row.count <= max) return { allowed: true, retryAfterSeconds: 0 };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((Number(row.last_request) + window * 1000 - now) / 1000)) };
}

/** Sign-in limits the library does not have: per email, and a successful sign-in clears the counts. */
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
            const { allowed, retryAfterSeconds } = await consumeEmailAttempt(prisma, email);
            if (!allowed)
              throw new APIError(
                'TOO_MANY_REQUESTS',
                { message: 'Too many sign-in attempts.', code: 'RATE_LIMITED' },
                { 'X-Retry-After': String(retryAfterSeconds) },
              );
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === SIGN_IN,
          handler: createAuthMiddleware(async (ctx) => {
            if (!ctx.context.newSession || typeof ctx.body?.email !== 'string') return;
            const ip = ctx.request ? getIP(ctx.request, ctx.context.options) : null;
            const keys = [emailKey(ctx.body.email), ...(ip ? [`${ip}|${SIGN_IN}`] : [])];
            await prisma.$executeRaw`DELETE FROM rate_limits WHERE key = ANY(${keys}::text[])`;
          }),
        },
      ],
    },
  };
}
