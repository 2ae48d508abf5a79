// The origins this app answers state-changing requests from (docs/security.md). Pure and not
// server-only: next.config.ts (server actions), lib/auth/config.ts (better-auth) and the API's check
// (lib/http/api-request.ts) all read the same list, so the three can never disagree.
// Relative, not '@/': next.config.ts loads this file (and lib/config.ts) without the path alias.
import { loadConfig, type Config } from '../config';
import { originList as list, parseOrigin } from './origin-list';

export { parseOrigin };

type Env = Partial<Pick<Config, 'APP_ORIGIN' | 'BETTER_AUTH_URL' | 'IDEM_TRUSTED_ORIGINS' | 'PORT'>>;

/**
 * The public origin: APP_ORIGIN, else BETTER_AUTH_URL (older deployments set only that), else the
 * local URL `next start` binds to by default (`http://localhost:<PORT>`; `npm start` trusts
 * `http://127.0.0.1:<PORT>` too, through IDEM_TRUSTED_ORIGINS).
 */
export function appOrigin(env: Env = loadConfig()): string {
  if (env.APP_ORIGIN) return parseOrigin(env.APP_ORIGIN, 'APP_ORIGIN');
  if (env.BETTER_AUTH_URL) return parseOrigin(env.BETTER_AUTH_URL, 'BETTER_AUTH_URL');
  return `http://localhost:${env.PORT || 3000}`;
}

/** Every origin allowed to change state: the app's own first, then BETTER_AUTH_URL and IDEM_TRUSTED_ORIGINS. */
export function allowedOrigins(env: Env = loadConfig()): string[] {
  const auth = env.BETTER_AUTH_URL ? [parseOrigin(env.BETTER_AUTH_URL, 'BETTER_AUTH_URL')] : [];
  const extra = list(env.IDEM_TRUSTED_ORIGINS).map((origin) => parseOrigin(origin, 'IDEM_TRUSTED_ORIGINS'));
  return [...new Set([appOrigin(env), ...auth, ...extra])];
}

/** Whether an Origin header names one of the allowed origins exactly (scheme, host and port). */
export function isAllowedOrigin(origin: string, allowed: string[]): boolean {
  let normalized: string;
  try {
    normalized = new URL(origin).origin;
  } catch {
    return false;
  }
  // `new URL` keeps a path; an Origin header never has one, so anything but a bare origin is refused.
  return origin.replace(/\/$/, '').toLowerCase() === normalized && allowed.includes(normalized);
}

/** Hosts (`host[:port]`) of the allowed origins: what Next.js' server-action check compares. */
export const allowedHosts = (env: Env = loadConfig()) => allowedOrigins(env).map((origin) => new URL(origin).host);

/**
 * Why a state-changing request must be refused as cross-site, or null. One rule for the API and for
 * server actions (proxy.ts): Sec-Fetch-Site cross-site, an opaque or foreign Origin, or no Origin
 * at all on a request that a browser could have sent by itself (one carrying a session cookie).
 */
export function crossSiteReason(
  request: { origin: string | null; secFetchSite: string | null; ambientCredentials: boolean },
  allowed: string[],
): string | null {
  if (request.secFetchSite === 'cross-site') return 'Sec-Fetch-Site says this request comes from another site.';
  const { origin } = request;
  if (origin === null)
    return request.ambientCredentials
      ? 'A request signed in with a session cookie must carry an Origin header (browsers send it).'
      : null;
  if (origin === 'null') return 'Requests with an opaque origin (Origin: null) are not allowed.';
  // The origin is not repeated back: an answer never echoes what the request sent.
  if (!isAllowedOrigin(origin, allowed))
    return "Requests from another origin are not allowed; only this site's own origin may change anything.";
  return null;
}

/** Whether a Cookie header carries Idem's session cookie (`idem.session_token`, `__Secure-` prefixed on https). */
export const hasSessionCookie = (cookie: string | null) =>
  cookie !== null && /(?:^|;\s*)(?:__Secure-)?idem\.session_token=/.test(cookie);
