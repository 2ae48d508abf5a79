// The sign-in, sign-up and API-key forms' fields, checked by the server action (the forms work
// without JavaScript, so the server is the one place that validates). Pure: no I/O.
import '@/lib/zod-jitless';
import { z } from 'zod';
import { plainText, type PlainTextMessages } from '@/lib/text/plain-text';

/** The one answer to a wrong email, a wrong password or both: none of them is revealed. */
const INCORRECT = 'Email or password is incorrect.';

/**
 * A refused password says how many guesses this email has left from this network before sign-in
 * pauses (the count is the same for unknown emails, so it reveals nothing about who has an account).
 */
export function incorrectSignIn(attemptsLeft: number | null, lockoutMinutes: number): string {
  if (attemptsLeft === null) return INCORRECT;
  if (attemptsLeft === 0)
    return `${INCORRECT} Sign-in to this email from your network is now paused for ${lockoutMinutes} minutes.`;
  const attempts = attemptsLeft === 1 ? '1 attempt' : `${attemptsLeft} attempts`;
  return `${INCORRECT} ${attempts} left before sign-in to this email from your network is paused for ${lockoutMinutes} minutes.`;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 80;
export const KEY_NAME_MAX = 60;

// Also the answers of better-auth's own endpoints (lib/auth/name-rule.ts): one rule, one wording.
export const NAME_MESSAGES: PlainTextMessages = {
  type: 'Enter your name.',
  empty: 'Enter your name.',
  tooLong: `A name is at most ${NAME_MAX} characters.`,
  refused: 'A name cannot contain',
};
export const KEY_NAME_MESSAGES: PlainTextMessages = {
  type: 'Name the key.',
  empty: 'Name the key, e.g. “billing server”.',
  tooLong: `A key name is at most ${KEY_NAME_MAX} characters.`,
  refused: 'A key name cannot contain',
};

const email = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .min(1, 'Enter your email address.')
  .max(254, 'An email address is at most 254 characters.')
  .pipe(z.email({ error: 'Enter an email address like ada@example.com.' }));

const newPassword = z
  .string({ error: 'Choose a password.' })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);

export const signUpSchema = z.object({
  name: plainText(NAME_MAX, NAME_MESSAGES),
  email,
  password: newPassword,
});

/**
 * `someone@localhost` is the loopback host's mailbox, but better-auth accepts only domains with a
 * dot: it is stored as `someone@localhost.localdomain` (the conventional name of the same host), and
 * either spelling signs in. That is how `npm start`'s seeded `admin@localhost` signs in.
 */
export function canonicalEmail(email: string): string {
  return email.replace(/@localhost$/i, '@localhost.localdomain');
}

export const signInSchema = z.object({
  email: z
    .string({ error: 'Enter your email address.' })
    .trim()
    .min(1, 'Enter your email address.')
    .max(254, INCORRECT)
    .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), 'An email address cannot contain control characters.')
    .transform(canonicalEmail),
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(PASSWORD_MAX, INCORRECT),
});

/** "Forgot password?" and "Resend verification email": one address, answered the same whether it has an account or not. */
export const emailOnlySchema = z.object({ email: email.transform(canonicalEmail) });

export const resetPasswordSchema = z.object({
  token: z
    .string({ error: 'This link is incomplete.' })
    .min(1, 'This link is incomplete.')
    .max(200, 'This link is incomplete.'),
  newPassword,
});

export const changePasswordSchema = z.object({
  currentPassword: z
    .string({ error: 'Enter your current password.' })
    .min(1, 'Enter your current password.')
    .max(PASSWORD_MAX, 'Current password is incorrect.'),
  newPassword,
});

export const apiKeyNameSchema = z.object({
  name: plainText(KEY_NAME_MAX, KEY_NAME_MESSAGES),
});

/** The lifetimes the form offers, in days (better-auth allows 1–365; lib/auth/policy.ts). */
export const KEY_LIFETIMES = [30, 90, 180, 365] as const;
export const KEY_ACCESS = { 'read-write': ['read', 'write'], read: ['read'] } as const;

export const apiKeySchema = apiKeyNameSchema.extend({
  expiresInDays: z
    .string({ error: 'Choose when the key expires.' })
    .refine((v) => (KEY_LIFETIMES as readonly number[]).includes(Number(v)), 'Choose 30, 90, 180 or 365 days.')
    .transform(Number),
  access: z.enum(['read-write', 'read'], { error: 'Choose what the key may do: read only, or read and write.' }),
});

export type FieldErrors = Partial<Record<string, string>>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
  return errors;
}

/** "15 minutes", "1 minute", "30 seconds". */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
