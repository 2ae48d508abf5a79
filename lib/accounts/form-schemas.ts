// One validation schema per form, used by the browser (react-hook-form) and again by the server
// action, which never trusts what the browser checked.
import '@/lib/zod-jitless';
import { z } from 'zod';
import { OWNER_MAX_LENGTH } from '@/lib/accounts/domain/account';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { parseAccountNumber } from '@/lib/accounts/domain/account-number';
import { REFERENCE_MAX_LENGTH } from '@/lib/accounts/domain/transfer';
import type { AccountUpdate } from '@/lib/accounts/history-update';
import { parseAmount, type ParseAmountOptions } from '@/lib/domain/money';
import { plainText } from '@/lib/text/plain-text';

/** The idempotency key: 1–255 visible ASCII characters (as in the IETF Idempotency-Key draft). */
const commandIdSchema = z
  .string({ error: 'A command id is required' })
  .min(1, 'A command id is required')
  .max(255, 'A command id is at most 255 characters')
  .regex(/^[\x21-\x7E]+$/, 'A command id uses visible ASCII characters only');

/** An account id (a UUID), lower-cased once here: the parsed value is an `AccountId`. */
function accountIdField(message: string) {
  return z.string({ error: message }).transform((text, ctx) => {
    const id = parseAccountId(text);
    if (id) return id;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}
const accountIdSchema = accountIdField('Not a valid account id');

function amountSchema(options: ParseAmountOptions & { optional?: boolean } = {}) {
  return z.string({ error: 'Enter an amount' }).transform((text, ctx) => {
    if (options.optional && text.trim() === '') return 0;
    const parsed = parseAmount(text, options);
    if (parsed.ok) return parsed.cents;
    ctx.addIssue({ code: 'custom', message: parsed.error.message });
    return z.NEVER;
  });
}

export const openAccountSchema = z.object({
  commandId: commandIdSchema,
  owner: plainText(OWNER_MAX_LENGTH, {
    type: 'Enter a name for the account',
    empty: 'Enter a name for the account',
    tooLong: `An account name can be at most ${OWNER_MAX_LENGTH} characters`,
    refused: 'An account name cannot contain',
  }),
  openingDeposit: amountSchema({ allowZero: true, optional: true }),
});

export const moneyMovementSchema = z.object({
  commandId: commandIdSchema,
  accountId: accountIdSchema,
  amount: amountSchema(),
});

/** A 12-digit account number; a mistyped digit is a field error here, before anything is looked up. */
const accountNumberSchema = z.string({ error: 'Enter the account number' }).transform((text, ctx) => {
  const parsed = parseAccountNumber(text);
  if (parsed.ok) return parsed.value;
  const messages = {
    empty: 'Enter the account number',
    format: 'An account number has 12 digits',
    'check-digit': 'This account number is not valid: check the digits',
  } as const;
  ctx.addIssue({ code: 'custom', message: messages[parsed.problem] });
  return z.NEVER;
});

/** The payment reference's messages, the same in the form and the API. */
const REFERENCE_MESSAGES = {
  type: 'A reference is text',
  empty: 'Enter a reference or leave the field empty',
  tooLong: `A reference can be at most ${REFERENCE_MAX_LENGTH} characters`,
  refused: 'A reference cannot contain',
} as const;

/** Optional in the form: left empty (or only spaces), the transfer has no reference. */
const referenceSchema = z
  .string()
  .optional()
  .transform((text) => (text === undefined || text.trim() === '' ? undefined : text))
  .pipe(plainText(REFERENCE_MAX_LENGTH, REFERENCE_MESSAGES).optional());

export const transferSchema = z.object({
  commandId: commandIdSchema,
  fromAccountId: accountIdSchema,
  toAccountNumber: accountNumberSchema,
  amount: amountSchema(),
  reference: referenceSchema,
});

/** What the review step answers: the recipient as the sender may see them, or what is wrong. */
export type TransferReview =
  | {
      status: 'review';
      maskedName: string;
      accountNumber: string;
      amount: string;
      /** The payment reference as it will be sent (normalised), when one was given. */
      reference?: string;
      /** Set when the sender's balance, as the review saw it, does not cover the amount: the review informs, Confirm still decides. */
      shortOf?: { balance: string };
    }
  | { status: 'invalid'; fieldErrors: Record<string, string>; message: string };

/** What a server action answers; the form renders it. Expected outcomes are values, not throws. */
export type FormResult =
  | { status: 'success'; message: string; replayed: boolean; accountId: string; balanceCents: number }
  | { status: 'invalid'; fieldErrors: Record<string, string>; message: string }
  /** A business rule said no (recorded; a new key is needed for a new attempt). */
  | { status: 'rejected'; message: string; code: string }
  /** Nothing was recorded: retry with the same key. */
  | { status: 'busy'; message: string }
  | { status: 'key-reused'; message: string };

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * What a command form holds between submissions: the server action's answer, rendered the same
 * with or without JavaScript (a form posted without it re-renders the page with this state).
 */
type CommandFormState<Values extends Record<string, string>> = {
  result: FormResult | null;
  /** What was typed, so a form that failed shows it again. */
  values: Values;
  /** The key the next submission carries: the same after a failure, a fresh one once an outcome is recorded. */
  commandId: string;
  /** The history row (stream version) the accepted command wrote. */
  highlight: number | null;
};

export type MoneyFormState = CommandFormState<{ amount: string }> & {
  /** What the accepted command changed on the page that called the action (lib/accounts/history-update.ts). */
  update: AccountUpdate | null;
};
export type OpenAccountFormState = CommandFormState<{ owner: string; openingDeposit: string }>;
export type TransferFormState = CommandFormState<{ toAccountNumber: string; amount: string; reference: string }> & {
  /** What the accepted transfer changed on the sender's page that called the action. */
  update: AccountUpdate | null;
  /** Set between "Review transfer" and "Confirm transfer". */
  review: Extract<TransferReview, { status: 'review' }> | null;
};
