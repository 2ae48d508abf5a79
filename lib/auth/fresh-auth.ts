import 'server-only';
import { APIError, type createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { isFreshSignIn } from '@/lib/auth/policy';

// A stolen session must not be able to leave credentials behind that outlive it ("Sign out
// everywhere" ends sessions, not keys or passkeys). Adding one therefore needs a FRESH sign-in:
// within FRESH_AUTH_SECONDS, or the password again (lib/auth/reauthenticate.ts). Passkey
// registration has better-auth's own check (session.freshAge); this rule adds the API-key endpoint,
// and any path listed here later (webhook endpoints) gets the same guard.

const FRESH_AUTH_PATHS = new Set(['/api-key/create']);
const SESSION_NOT_FRESH = 'SESSION_NOT_FRESH';
const NOT_FRESH_MESSAGE =
  'Confirm your password first: adding a credential needs a sign-in within the last 10 minutes.';

/** The context better-auth hands a `hooks.before` middleware. */
export type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/** Part of the auth instance's before-hook (lib/auth/auth.ts): throws 403 SESSION_NOT_FRESH. */
export async function freshCredentialRule(ctx: HookContext): Promise<void> {
  if (!FRESH_AUTH_PATHS.has(ctx.path)) return;
  // A server-side call without a request or headers is the app itself (it checked freshness first).
  if (!ctx.request && !ctx.headers) return;
  const session = await getSessionFromCtx(ctx);
  if (!session) return; // the endpoint itself answers 401
  if (!isFreshSignIn(new Date(session.session.createdAt)))
    throw APIError.from('FORBIDDEN', { code: SESSION_NOT_FRESH, message: NOT_FRESH_MESSAGE });
}
