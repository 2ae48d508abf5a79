// One validation schema per form, used by the browser (react-hook-form) and again by the server
// action, which never trusts what the browser checked.
import { z } from 'zod';
import { OWNER_MAX_LENGTH } from '@/lib/domain/account';
import { parseAccountId } from '@/lib/domain/account-id';
import { parseAmount, type ParseAmountOptions } from '@/lib/domain/money';

/** The idempotency key: 1–255 visible ASCII characters (as in the IETF Idempotency-Key draft). */
export const commandIdSchema = z
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
export const accountIdSchema = accountIdField('Not a valid account id');

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
  owner: z
    .string({ error: 'Enter the owner name' })
    .trim()
    .min(1, 'Enter the owner name')
    .max(OWNER_MAX_LENGTH, `Owner name can be at most ${OWNER_MAX_LENGTH} characters`),
  openingDeposit: amountSchema({ allowZero: true, optional: true }),
});

export const moneyMovementSchema = z.object({
  commandId: commandIdSchema,
  accountId: accountIdSchema,
  amount: amountSchema(),
});

export const transferFields = z.object({
  commandId: commandIdSchema,
  fromAccountId: accountIdSchema,
  toAccountId: accountIdField('Choose an account to transfer to'),
  amount: amountSchema(),
});

export const transferSchema = transferFields.refine((t) => t.fromAccountId !== t.toAccountId, { path: ['toAccountId'], message: 'Choose a different account to transfer to' });

export type OpenAccountInput = z.input<typeof openAccountSchema>;
export type MoneyMovementInput = z.input<typeof moneyMovementSchema>;

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
