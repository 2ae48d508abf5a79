'use server';

import { redirect } from 'next/navigation';
import { requireCustomer } from '@/lib/auth/customer';
import { callAuthEndpoint, type EndpointResult } from '@/lib/auth/endpoint-call';
import {
  emailOnlySchema,
  fieldErrors,
  incorrectSignIn,
  signInSchema,
  signUpSchema,
  waitText,
  type FieldErrors,
} from '@/lib/auth/forms';
import { safeNextPath } from '@/lib/auth/next-path';
import { RATE_LIMITS } from '@/lib/auth/rate-limits';
import { formText } from '@/lib/text/form-text';
import { db } from '@/lib/db/prisma';

// Sign-in, sign-up and sign-out as server actions, so the forms work without JavaScript. They go
// through better-auth's HTTP handler (lib/auth/endpoint-call.ts) for its rate limits and origin
// checks. Expected outcomes (wrong password, too many attempts) are return values.

export type AuthFormState = {
  error: string | null;
  fieldErrors: FieldErrors;
  values: { name?: string; email?: string };
  /** The confirmation that replaces the form ("Check your email…"). */
  done?: string;
  /** Sign-in: the password was right but the email is not verified yet (offer "Resend verification email"). */
  unverified?: boolean;
};

const text = formText;

export async function signInAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form, 'email') };
  const parsed = signInSchema.safeParse({ email: values.email, password: text(form, 'password') });
  if (!parsed.success) return { error: null, fieldErrors: fieldErrors(parsed.error), values };

  const result = await callAuthEndpoint('/sign-in/email', { ...parsed.data, rememberMe: true });
  if (result.status === 200) redirect(await landingPath(parsed.data.email, form.get('next')));
  // Only after the right password: the answer tells the address's owner, nobody else, that it exists.
  if (result.code === 'EMAIL_NOT_VERIFIED') return { error: UNVERIFIED, fieldErrors: {}, values, unverified: true };
  return { error: signInError(result), fieldErrors: {}, values };
}

const UNVERIFIED =
  'Confirm your email address first: follow the link in the mail we sent when you signed up. No mail? Send a new link below.';

/** Where a sign-in lands: the `next` path it came from; otherwise admins the console, customers their accounts. */
async function landingPath(email: string, next: FormDataEntryValue | null): Promise<string> {
  const path = safeNextPath(next);
  if (path !== '/') return path;
  const user = await db().user.findUnique({ where: { email: email.toLowerCase() }, select: { role: true } });
  return (user?.role ?? '').split(',').some((role) => role.trim() === 'admin') ? '/admin' : '/';
}

function signInError({ status, code, retryAfterSeconds, attemptsLeft }: EndpointResult): string {
  if (status === 429) return `Too many sign-in attempts. Try again in ${waitText(retryAfterSeconds ?? 60)}.`;
  if (code === 'BANNED_USER') return 'This account is disabled. Please contact support.';
  if (status === 403) return 'This sign-in was refused: open the site at its own address and try again.';
  if (status >= 500) return 'Signing in is not possible right now. Please try again in a moment.';
  // Unknown email, wrong password, a malformed email: one message, so none of them is revealed.
  return incorrectSignIn(attemptsLeft, RATE_LIMITS.signInPerEmail.window / 60);
}

export async function signUpAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { name: text(form, 'name'), email: text(form, 'email') };
  const parsed = signUpSchema.safeParse({ ...values, password: text(form, 'password') });
  if (!parsed.success) return { error: null, fieldErrors: fieldErrors(parsed.error), values };

  const result = await callAuthEndpoint('/sign-up/email', parsed.data);
  // A new address and one that has an account get the same answer (the owner of an existing one
  // gets a mail saying someone tried): the page never tells who has an account here.
  if (result.status === 200)
    return { error: null, fieldErrors: {}, values: {}, done: checkYourEmail(parsed.data.email) };
  if (result.code === 'PASSWORD_TOO_SHORT' || result.code === 'PASSWORD_TOO_LONG')
    return { error: null, fieldErrors: { password: 'Choose a password of 8 to 128 characters.' }, values };
  if (result.code === 'INVALID_EMAIL')
    return { error: null, fieldErrors: { email: 'Enter an email address like ada@example.com.' }, values };
  if (result.status === 429)
    return {
      error: `Too many new accounts from this address. Try again in ${waitText(result.retryAfterSeconds ?? 60)}.`,
      fieldErrors: {},
      values,
    };
  if (result.status === 403)
    return {
      error: 'This sign-up was refused: open the site at its own address and try again.',
      fieldErrors: {},
      values,
    };
  return {
    error: 'Creating the account is not possible right now. Please try again in a moment.',
    fieldErrors: {},
    values,
  };
}

const checkYourEmail = (email: string) =>
  `Check your email: we sent a link to ${email}. Follow it to confirm your address and sign in. The link works for one hour.`;

/** "Resend verification email" on the sign-in page: the same answer whether the address has an unverified account or not. */
export async function resendVerificationAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form, 'email') };
  const parsed = emailOnlySchema.safeParse(values);
  if (!parsed.success) return { error: null, fieldErrors: fieldErrors(parsed.error), values };
  const result = await callAuthEndpoint('/send-verification-email', { email: parsed.data.email, callbackURL: '/' });
  if (result.status === 429)
    return {
      error: `Too many requests. Try again in ${waitText(result.retryAfterSeconds ?? 60)}.`,
      fieldErrors: {},
      values,
    };
  if (result.status !== 200)
    return {
      error: 'Sending the link is not possible right now. Please try again in a moment.',
      fieldErrors: {},
      values,
    };
  return {
    error: null,
    fieldErrors: {},
    values,
    done: `If ${parsed.data.email} is waiting to be confirmed, we sent it a new link. The link works for one hour.`,
  };
}

/** Ends this browser's session (the row is deleted, so the cookie is worthless everywhere). */
export async function signOutAction(): Promise<void> {
  await callAuthEndpoint('/sign-out', {});
  redirect('/sign-in?signed-out=1');
}

/** Ends every session of the signed-in customer, on every device and instance. API keys stay. */
export async function signOutEverywhereAction(): Promise<void> {
  await requireCustomer('/settings');
  const revoked = await callAuthEndpoint('/revoke-sessions', {});
  if (revoked.status !== 200)
    throw new Error(`revoking the sessions failed: HTTP ${revoked.status} ${revoked.code ?? ''}`);
  await callAuthEndpoint('/sign-out', {}); // clears this browser's cookie
  redirect('/sign-in?signed-out=everywhere');
}
