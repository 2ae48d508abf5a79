'use server';

import { redirect } from 'next/navigation';
import type { AuthFormState } from '@/app/session-actions';
import { requireCustomer } from '@/lib/auth/customer';
import { callAuthEndpoint } from '@/lib/auth/endpoint-call';
import { changePasswordSchema, emailOnlySchema, fieldErrors, resetPasswordSchema, waitText } from '@/lib/auth/forms';

// "Forgot password?", the mailed reset link's page and "Change password" on Settings. Like sign-in,
// they go through better-auth's HTTP handler (rate limits, origin checks) and work without JavaScript.

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};
const tooMany = (seconds: number | null) => `Too many requests. Try again in ${waitText(seconds ?? 60)}.`;
const UNAVAILABLE = 'This is not possible right now. Please try again in a moment.';

/** Always the same answer, whether the address has an account or not (the mail goes only to an account's owner). */
export async function forgotPasswordAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form, 'email') };
  const parsed = emailOnlySchema.safeParse(values);
  if (!parsed.success) return { error: null, fieldErrors: fieldErrors(parsed.error), values };
  const result = await callAuthEndpoint('/request-password-reset', { email: parsed.data.email });
  if (result.status === 429) return { error: tooMany(result.retryAfterSeconds), fieldErrors: {}, values };
  if (result.status !== 200) return { error: UNAVAILABLE, fieldErrors: {}, values };
  return {
    error: null,
    fieldErrors: {},
    values: {},
    done: `If an account uses ${parsed.data.email}, we sent it a link to choose a new password. The link works for one hour.`,
  };
}

/** Sets the new password from the mailed link; every session of the customer ends (then: sign in). */
export async function resetPasswordAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = resetPasswordSchema.safeParse({ token: text(form, 'token'), newPassword: text(form, 'newPassword') });
  if (!parsed.success) return { error: null, fieldErrors: fieldErrors(parsed.error), values: {} };
  const result = await callAuthEndpoint('/reset-password', parsed.data);
  if (result.status === 200) redirect('/sign-in?signed-out=reset');
  if (result.code === 'INVALID_TOKEN' || result.code === 'USER_NOT_FOUND')
    return {
      error:
        'This link has expired or was already used. Ask for a new one with “Forgot password?” on the sign-in page.',
      fieldErrors: {},
      values: {},
    };
  return newPasswordRefused(result);
}

/** Settings → "Change password": needs the current one; the customer's other sessions end, this one stays. */
export async function changePasswordAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  await requireCustomer('/settings');
  const parsed = changePasswordSchema.safeParse({
    currentPassword: text(form, 'currentPassword'),
    newPassword: text(form, 'newPassword'),
  });
  if (!parsed.success) return { error: null, fieldErrors: fieldErrors(parsed.error), values: {} };
  const result = await callAuthEndpoint('/change-password', { ...parsed.data, revokeOtherSessions: true });
  // A redirect, not a returned message: the new session cookie re-renders the whole page anyway.
  if (result.status === 200) redirect('/settings?password=changed');
  if (result.code === 'INVALID_PASSWORD')
    return { error: null, fieldErrors: { currentPassword: 'Current password is incorrect.' }, values: {} };
  return newPasswordRefused(result);
}

/** What reset and change password say when the new password was not set for a reason they share. */
function newPasswordRefused(result: Awaited<ReturnType<typeof callAuthEndpoint>>): AuthFormState {
  if (result.code === 'PASSWORD_TOO_SHORT' || result.code === 'PASSWORD_TOO_LONG')
    return { error: null, fieldErrors: { newPassword: 'Choose a password of 8 to 128 characters.' }, values: {} };
  if (result.status === 429) return { error: tooMany(result.retryAfterSeconds), fieldErrors: {}, values: {} };
  return { error: UNAVAILABLE, fieldErrors: {}, values: {} };
}
