import { randomBytes } from 'node:crypto';
import { DEFAULT_SESSION_IDLE_MINUTES } from '@/lib/auth/policy';
import { allowedOrigins, appOrigin, parseOrigin } from '@/lib/http/origins';
import { loadConfig, type Config } from '@/lib/config';

// Identity configuration, read from the validated configuration only (docs/identity.md). Pure: no
// I/O, so scripts and tests can build it from a map of their own.

export type AuthConfig = {
  /** Public origin of the app, e.g. https://bank.example or http://localhost:3000. */
  baseURL: string;
  secret: string;
  /** Origins allowed to POST to the auth endpoints and to be returned to (the base URL's first). */
  trustedOrigins: string[];
  /** WebAuthn relying party: the base URL's host name (passkeys need a domain; `localhost` is one). */
  rpID: string;
  rpName: string;
  /**
   * Where the client address for rate limits comes from: X-Forwarded-For, which holds exactly one
   * address by the time any route reads it — the socket's, or the one a TRUSTED_PROXIES proxy named
   * (lib/http/client-address.ts rewrites it before Next.js sees the request).
   */
  clientIpHeaders: string[];
  /** A session ends after this many seconds without a request (IDEM_SESSION_IDLE_MINUTES). */
  sessionIdleSeconds: number;
};

const MIN_SECRET_LENGTH = 32;
/** 1000 requests a minute per key (the library's default, 10 a day, would stop any real client). */

/** One per process when nothing is configured outside production: sessions end at restart. */
let processSecret: string | undefined;

export function authConfig(env: Partial<Config> = loadConfig()): AuthConfig {
  const production = env.NODE_ENV === 'production';
  // better-auth's base URL is the app's origin unless set apart (docs/configuration.md).
  const base = env.BETTER_AUTH_URL ? parseOrigin(env.BETTER_AUTH_URL, 'BETTER_AUTH_URL') : appOrigin(env);
  let secret = env.BETTER_AUTH_SECRET ?? '';
  if (!secret) {
    // `npm start` generates one for the embedded database; a deployment must choose its own, the
    // same on every instance, or sessions would end at every restart and differ between instances.
    if (production)
      throw new Error('BETTER_AUTH_SECRET is not set (at least 32 characters, the same on every instance).');
    secret = processSecret ??= randomBytes(32).toString('base64url');
  } else if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`BETTER_AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters.`);
  }
  return {
    baseURL: base,
    secret,
    // The very list the API and server actions check (lib/http/origins.ts).
    trustedOrigins: [...new Set([base, ...allowedOrigins(env)])],
    rpID: new URL(base).hostname,
    rpName: 'Idem',
    clientIpHeaders: ['x-forwarded-for'],
    sessionIdleSeconds: (env.IDEM_SESSION_IDLE_MINUTES ?? DEFAULT_SESSION_IDLE_MINUTES) * 60,
  };
}
