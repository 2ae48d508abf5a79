import 'server-only';
import { headers } from 'next/headers';
import { auth } from '@/lib/auth/auth';
import type { Customer } from '@/lib/auth/customer';
import { callAuthEndpoint } from '@/lib/auth/endpoint-call';
import { waitText } from '@/lib/auth/forms';
import { CURRENT_PASSWORD_FIELD } from '@/lib/auth/reauthenticate-field';
import { isFreshSignIn } from '@/lib/auth/policy';

// The fresh-sign-in guard for server actions that add a credential (an API key, a passkey, later a
// webhook endpoint): signed in within the last 10 minutes, or the password again in the form's
// `currentPassword` field. The password is checked by signing in once more through better-auth's
// handler (its rate limits apply); the browser gets the new, fresh session.

export { CURRENT_PASSWORD_FIELD };
export type FreshCheck = { ok: true } | { ok: false; message: string };

/** Whether this browser's session was signed in within the fresh window (pages show the password field otherwise). */
export async function hasFreshSignIn(): Promise<boolean> {
  const session = await auth().api.getSession({ headers: await headers(), query: { disableCookieCache: true } });
  return !!session && isFreshSignIn(new Date(session.session.createdAt));
}

export async function requireFreshSignIn(customer: Customer, form: FormData): Promise<FreshCheck> {
  const session = await auth().api.getSession({ headers: await headers(), query: { disableCookieCache: true } });
  if (!session) return { ok: false, message: 'Your session has ended: sign in again.' };
  if (isFreshSignIn(new Date(session.session.createdAt))) return { ok: true };
  const password = form.get(CURRENT_PASSWORD_FIELD);
  if (typeof password !== 'string' || password.length === 0)
    return {
      ok: false,
      message:
        'Enter your password: you signed in more than 10 minutes ago, and adding a credential needs a recent sign-in.',
    };
  if (password.length > 128) return { ok: false, message: 'The password is incorrect.' };
  const result = await callAuthEndpoint('/sign-in/email', { email: customer.email, password, rememberMe: true });
  if (result.status === 429)
    return { ok: false, message: `Too many attempts. Try again in ${waitText(result.retryAfterSeconds ?? 60)}.` };
  if (result.status !== 200) return { ok: false, message: 'The password is incorrect.' };
  // The old session stays (this request still renders with it) but stays stale: whoever else holds
  // its cookie still cannot add a credential, and it ends with its idle time.
  return { ok: true };
}
