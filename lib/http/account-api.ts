import 'server-only';
import { z } from 'zod';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { parseAccountNumber } from '@/lib/accounts/domain/account-number';
import type { AccountResult } from '@/lib/accounts/account-commands';
import type { CommandResult } from '@/lib/event-store';
import type { TransferResult } from '@/lib/accounts/transfer-command';
import { OWNER_MAX_LENGTH, type AccountRejection } from '@/lib/accounts/domain/account';
import { REFERENCE_MAX_LENGTH } from '@/lib/accounts/domain/transfer';
import { formatDecimal, parseAmount } from '@/lib/domain/money';
import { jsonResponse, problem, problemResponse, type Problem } from '@/lib/http/problem';
import { plainText } from '@/lib/text/plain-text';

// Request bodies and responses of the JSON API. Amounts are decimal strings ("12.34"): a JSON
// number cannot carry cents exactly, so it is refused rather than rounded.

const AMOUNT_FORMAT = /^\d+(\.\d{1,2})?$/;
const EXPECTED = 'a decimal string with at most 2 decimals, like "12.34"';

function amount(options: { allowZero: boolean }) {
  return z
    .unknown()
    .transform((value, ctx) => {
      if (typeof value !== 'string') {
        ctx.addIssue({
          code: 'custom',
          message: `must be ${EXPECTED}, not a JSON ${value === null ? 'null' : typeof value}`,
        });
        return z.NEVER;
      }
      if (!AMOUNT_FORMAT.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be ${EXPECTED}; got ${JSON.stringify(value.slice(0, 40))}` });
        return z.NEVER;
      }
      const parsed = parseAmount(value, { allowZero: options.allowZero, allowGrouping: false });
      if (parsed.ok) return parsed.cents;
      ctx.addIssue({ code: 'custom', message: parsed.error.message });
      return z.NEVER;
    })
    .meta(AMOUNT_SCHEMA); // what the OpenAPI document says (lib/http/openapi.ts); the transform decides
}

const AMOUNT_SCHEMA = {
  type: 'string',
  pattern: AMOUNT_FORMAT.source,
  description: `${EXPECTED}; at most 1,000,000.00`,
  examples: ['12.34'],
};

export const openAccountBody = z
  .object({
    name: plainText(OWNER_MAX_LENGTH, {
      type: 'must be a string',
      empty: 'must not be empty',
      tooLong: `must be at most ${OWNER_MAX_LENGTH} characters`,
      refused: 'must not contain',
    }),
    openingDeposit: amount({ allowZero: true }).optional(),
  })
  .strict();

export const moneyMovementBody = z.object({ amount: amount({ allowZero: false }) }).strict();

const accountId = z.string({ error: 'must be an account id (a UUID string)' }).transform((text, ctx) => {
  const id = parseAccountId(text);
  if (id) return id;
  ctx.addIssue({ code: 'custom', message: 'must be an account id (a UUID)' });
  return z.NEVER;
});

const accountNumber = z
  .string({ error: 'must be an account number (a string of 12 digits)' })
  .transform((text, ctx) => {
    const parsed = parseAccountNumber(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({
      code: 'custom',
      message:
        parsed.problem === 'check-digit' ? 'is not a valid account number: check the digits' : 'must be 12 digits',
    });
    return z.NEVER;
  });

export const transferBody = z
  .object({
    from: accountId,
    toAccountNumber: accountNumber,
    amount: amount({ allowZero: false }),
    /** Optional; part of the command, so the same key with another reference is another request (422). */
    reference: plainText(REFERENCE_MAX_LENGTH, {
      type: 'must be a string',
      empty: 'must not be empty (leave the field out for no reference)',
      tooLong: `must be at most ${REFERENCE_MAX_LENGTH} characters`,
      refused: 'must not contain',
    })
      .meta({
        description: `The payment reference both sides see in their history: at most ${REFERENCE_MAX_LENGTH} characters; no control, invisible formatting or unpaired surrogate characters.`,
        examples: ['Invoice 2026-114'],
      })
      .optional(),
  })
  .strict();

export function validationProblem(error: z.ZodError): Problem {
  const errors = error.issues.map((issue) => ({
    pointer: `/${issue.path.join('/')}`,
    detail:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s): ${issue.keys.join(', ')}`
        : issue.code === 'invalid_type' && issue.path.length === 0
          ? 'the body must be a JSON object'
          : issue.message,
  }));
  const detail = errors.map((e) => (e.pointer === '/' ? e.detail : `${e.pointer.slice(1)} ${e.detail}`)).join('; ');
  return problem('validation-failed', detail, { errors });
}

/** The balance and the amount a refusal is about, as the API writes money. */
const amounts = (rejection: { accountId: string; balanceCents: number; requestedCents: number }) => ({
  accountId: rejection.accountId,
  balance: formatDecimal(rejection.balanceCents),
  requested: formatDecimal(rejection.requestedCents),
});

export function rejectionProblem(rejection: AccountRejection): Problem {
  switch (rejection.code) {
    case 'InsufficientFunds':
      return problem(
        'insufficient-funds',
        `The balance is ${formatDecimal(rejection.balanceCents)}; cannot withdraw ${formatDecimal(rejection.requestedCents)}.`,
        amounts(rejection),
      );
    case 'AccountNotFound':
    case 'NotOwner': // someone else's account is, to this caller, not there: the same answer, byte for byte
      return problem('account-not-found', `There is no account ${rejection.accountId}.`, {
        accountId: rejection.accountId,
      });
    case 'AccountAlreadyOpen':
      return problem('account-already-open', `Account ${rejection.accountId} is already open.`, {
        accountId: rejection.accountId,
      });
    case 'InvalidOwner':
      return problem('validation-failed', `owner: ${rejection.reason}`);
    case 'InvalidAmount':
      return problem('validation-failed', `amount: ${rejection.reason}`);
    case 'BalanceLimitExceeded':
      return problem(
        'balance-limit-exceeded',
        `This would take the balance of ${rejection.accountId} past the limit.`,
        amounts(rejection),
      );
    case 'SameAccount':
      return problem('same-account', 'The source and destination accounts must differ.', {
        accountId: rejection.accountId,
      });
  }
}

/**
 * A transfer's rejections: the balance limit a transfer can exceed is the RECIPIENT's, whose account
 * id and balance are not the sender's to see; every other rejection is about the sender's own account.
 */
export function transferRejectionProblem(rejection: AccountRejection): Problem {
  if (rejection.code !== 'BalanceLimitExceeded') return rejectionProblem(rejection);
  return problem(
    'balance-limit-exceeded',
    'This transfer would take the recipient’s balance past the limit. Nothing was transferred.',
    {
      requested: formatDecimal(rejection.requestedCents),
    },
  );
}

/**
 * The one mapping from a command's outcome to HTTP. It reads only the stored outcome, so a replay
 * produces the original status and body byte for byte (bodies are built field by field, never by
 * spreading stored JSON whose key order PostgreSQL's jsonb does not keep).
 */
export function commandResponse<Result, Rejection = AccountRejection>(
  outcome: CommandResult<Result, Rejection>,
  body: (result: Result, key: string) => unknown,
  key: string,
  rejected: (rejection: Rejection) => Problem = rejectionProblem as unknown as (rejection: Rejection) => Problem,
  /** The status of an accepted command: 201 when it created something (the default), 200 otherwise. */
  status: 200 | 201 = 201,
): Response {
  const replayHeader: Record<string, string> =
    'replayed' in outcome && outcome.replayed ? { 'idempotent-replayed': 'true' } : {};
  switch (outcome.status) {
    case 'accepted':
      return jsonResponse(status, body(outcome.result, key), replayHeader);
    case 'rejected':
      return problemResponse(rejected(outcome.rejection), replayHeader);
    case 'key-reused':
      return problemResponse(
        problem(
          'idempotency-key-reused',
          `This Idempotency-Key was already used for a different request (${outcome.originalType}). Use a new key for a new request.`,
        ),
      );
    case 'busy':
      return problemResponse(
        problem(
          'concurrent-request',
          'The account is busy with other requests. Retry with the same Idempotency-Key; it will be applied at most once.',
        ),
        {
          'retry-after': '1',
        },
      );
  }
}

export const accountBody = (r: AccountResult) => ({
  id: r.accountId,
  accountNumber: r.accountNumber,
  name: r.owner,
  balance: formatDecimal(r.balanceCents),
  version: r.version,
});

export const movementBody = (r: AccountResult, key: string) => ({
  accountId: r.accountId,
  amount: formatDecimal(r.amountCents),
  balance: formatDecimal(r.balanceCents),
  version: r.version,
  commandId: key,
});

export const transferBody201 = (r: TransferResult) => ({
  transferId: r.transferId,
  from: r.fromAccountId,
  // The recipient by number only: their account id and balance are not the sender's to see.
  toAccountNumber: r.toAccountNumber,
  amount: formatDecimal(r.amountCents),
  fromBalance: formatDecimal(r.fromBalanceCents),
  ...(r.reference ? { reference: r.reference } : {}),
});
