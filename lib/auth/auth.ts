import 'server-only';
import { apiKey } from '@better-auth/api-key';
import { passkey } from '@better-auth/passkey';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { nextCookies } from 'better-auth/next-js';
import { createAuthMiddleware } from 'better-auth/api';
import { admin } from 'better-auth/plugins/admin';
import { adminRoles } from '@/lib/auth/admin-roles';
import { authConfig, type AuthConfig } from '@/lib/auth/config';
import { freshCredentialRule } from '@/lib/auth/fresh-auth';
import { KEY_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from '@/lib/auth/forms';
import { MAIL_RATE_LIMITS, mailOptions, notifyAfter } from '@/lib/auth/mail-hooks';
import { nameRule } from '@/lib/auth/name-rule';
import {
  API_KEY_DEFAULT_DAYS,
  API_KEY_MAX_DAYS,
  API_KEY_MIN_DAYS,
  FRESH_AUTH_SECONDS,
  FULL_ACCESS,
  SESSION_REFRESH_SECONDS,
  sessionExpiry,
} from '@/lib/auth/policy';
import { customRules, RATE_LIMITS, signInLimits } from '@/lib/auth/rate-limits';
import { db, type Db } from '@/lib/db/prisma';
import { singleton } from '@/lib/singleton';
import { loadConfig } from '@/lib/config';

// The one identity library instance (better-auth): users, sessions and API keys live in PostgreSQL
// (prisma/schema.prisma, "Identity"), so revoking anything takes effect on every instance at once.
// Nothing about a session or a key is kept in a cookie; an instance remembers a verified one only
// until PostgreSQL notifies a change (lib/auth/verdict-cache.ts).

export function createAuth(prisma: Db, config: AuthConfig) {
  // Verification, password reset and notices by email (lib/auth/mail-hooks.ts, docs: mail).
  const mail = mailOptions(config.baseURL);
  return betterAuth({
    appName: 'Idem',
    baseURL: config.baseURL,
    basePath: '/api/auth',
    secret: config.secret,
    trustedOrigins: config.trustedOrigins,
    telemetry: { enabled: false },
    // Names in request bodies pass the plain-text rule (no control/format characters, NFC).
    // A fresh sign-in before a credential is added (lib/auth/fresh-auth.ts), checked on the HTTP endpoints too.
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        await freshCredentialRule(ctx);
        return nameRule(ctx);
      }),
      after: notifyAfter,
    },
    logger: { log: logAuthMessage },
    database: prismaAdapter(prisma, { provider: 'postgresql' }),
    // The ledger has accounts; better-auth's "account" (a user's credential) gets a name of its own.
    account: { modelName: 'authAccount' },
    // A customer signs in only once their email is verified: the link signs them in and lands on `/`.
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      ...mail.emailAndPassword,
    },
    emailVerification: mail.emailVerification,
    session: {
      // An idle timeout: each request (at most once a minute) moves the expiry to idle-limit from now;
      // databaseHooks below never let it pass the absolute limit after sign-in.
      expiresIn: config.sessionIdleSeconds,
      updateAge: SESSION_REFRESH_SECONDS,
      // Passkey registration (better-auth's own check) and API keys (freshCredentialRule) need this.
      freshAge: FRESH_AUTH_SECONDS,
      // No copy in a cookie: sign-out and "sign out everywhere" reach every instance through
      // PostgreSQL (its NOTIFY clears the instances' verdict caches, lib/auth/verdict-cache.ts).
      cookieCache: { enabled: false },
    },
    databaseHooks: {
      session: {
        create: {
          before: async (session) => ({
            data: { ...session, expiresAt: sessionExpiry(new Date(), new Date(), config.sessionIdleSeconds) },
          }),
        },
        update: {
          // A refresh knows the session it extends (better-auth sets it on the context first).
          before: async (update, ctx) => {
            const createdAt = ctx?.context.session?.session.createdAt;
            if (!update.expiresAt || !createdAt) return;
            return {
              data: { ...update, expiresAt: sessionExpiry(new Date(createdAt), new Date(), config.sessionIdleSeconds) },
            };
          },
        },
      },
    },
    rateLimit: {
      // On in every environment (the library's default is production only) and in PostgreSQL (the
      // default is process memory, which a second instance would not see).
      enabled: true,
      storage: 'database',
      modelName: 'rateLimit',
      ...RATE_LIMITS.default,
      customRules: { ...customRules, ...MAIL_RATE_LIMITS },
    },
    advanced: {
      cookiePrefix: 'idem',
      // Vitest sets NODE_ENV=test, under which better-auth would skip its origin checks.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      // One address, already chosen from TRUSTED_PROXIES' hops at the edge (lib/http/client-address.ts).
      ipAddress: { ipAddressHeaders: config.clientIpHeaders },
    },
    plugins: [
      // Admins get only what the console uses (lib/auth/admin-roles.ts): no impersonation, no passwords.
      admin({ defaultRole: 'customer', adminRoles: ['admin'], ...adminRoles }),
      apiKey({
        schema: { apikey: { modelName: 'apiKey' } },
        defaultPrefix: 'idem_',
        disableKeyHashing: false,
        requireName: true,
        // The plugin counts UTF-16 units; nameRule caps at KEY_NAME_MAX characters (≤ 2 units each).
        maximumNameLength: KEY_NAME_MAX * 2,
        // Off here on purpose: the plugin measures a key's window from its LAST request, so a key used
        // at least once a window never gets a fresh budget (steady use was refused for good after
        // `max` requests). Per-key budgets are counted in fixed windows with the customer budgets
        // (lib/http/api-limits.ts, IDEM_API_KEY_RATE_LIMIT).
        rateLimit: { enabled: false },
        // Clients send `Authorization: Bearer <key>`; lib/auth/customer.ts verifies it (and
        // remembers the verdict until a change is notified). No session is ever made from a key.
        enableSessionForAPIKeys: false,
        // Keys expire: 90 days unless the customer chooses (1–365 days); an expired key is refused.
        keyExpiration: {
          defaultExpiresIn: API_KEY_DEFAULT_DAYS * 24 * 60 * 60,
          minExpiresIn: API_KEY_MIN_DAYS,
          maxExpiresIn: API_KEY_MAX_DAYS,
        },
        // Scopes (lib/auth/policy.ts): read and write unless the customer narrows them.
        permissions: { defaultPermissions: FULL_ACCESS },
      }),
      passkey({ rpID: config.rpID, rpName: config.rpName, origin: config.trustedOrigins }),
      signInLimits(prisma),
      // Last, as better-auth asks: writes Set-Cookie of auth.api calls made in server actions.
      nextCookies(),
    ],
  });
}

/** A wrong password or a revoked API key is an expected answer (401), not an error worth a log line. */
const EXPECTED = /^(Failed to validate API key|Invalid password|User not found)/;
function logAuthMessage(level: 'info' | 'warn' | 'error' | 'debug', message: string, ...args: unknown[]) {
  if (EXPECTED.test(message)) return;
  console[level](`[better-auth] ${message}`, ...args);
}

export type Auth = ReturnType<typeof createAuth>;

// One instance per process and database, made on first use (never at import: `next build` must not
// need a secret or a database). The singleton survives Next's dev-mode module reloads.
const instances = () => singleton('auth', () => new Map<string, Auth>());

export function auth(): Auth {
  const url = loadConfig().DATABASE_URL ?? '';
  let instance = instances().get(url);
  if (!instance) {
    instance = createAuth(db(), authConfig());
    instances().set(url, instance);
  }
  return instance;
}
