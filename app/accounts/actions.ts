'use server';

import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { movementUpdate, transferUpdate, type AccountUpdate } from '@/lib/accounts/history-update';
import { accountConfirmation, toFormResult, transferConfirmation } from '@/lib/accounts/form-outcomes';
import {
  fieldErrorsOf,
  moneyMovementSchema,
  openAccountSchema,
  transferSchema,
  type FormResult,
  type MoneyFormState,
  type OpenAccountFormState,
  type TransferFormState,
  type TransferReview,
} from '@/lib/accounts/form-schemas';
import { newAccountId, scopedCommandId } from '@/lib/accounts/ids';
import { openAccount } from '@/lib/accounts/open-account';
import { lookUpRecipient, type Recipient } from '@/lib/accounts/recipient-lookup';
import { getOwnedAccount } from '@/lib/accounts/queries';
import { counterpartyFor, versionWrittenBy } from '@/lib/accounts/transaction-page';
import { inboundLimitText, submitTransfer } from '@/lib/accounts/submit-transfer';
import { currentCustomer } from '@/lib/auth/customer';
import { actionBudgetRefusal } from '@/lib/http/api-limits';
import { waitText } from '@/lib/auth/forms';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { OPENED_COOKIE } from '@/app/accounts/[accountId]/opened';
import { formText } from '@/lib/text/form-text';

// The account forms' server actions (open, deposit, withdraw, transfer), beside the pages they serve.
// Thin adapters: who is acting, validate, build the command (time, ids and the acting customer are
// made here, never in the domain), dispatch, map the typed outcome. Expected outcomes are return
// values; only bugs throw. The form's key becomes a command id in the customer's own namespace.
//
// Every action takes FormData and answers a form state, so a form works the same posted by the
// browser without JavaScript (React re-renders the page with the state) and called by the enhanced
// client. The previous state is ignored: it comes from the client. The key for the next submission
// is decided here: kept after anything that recorded nothing, fresh once an outcome is recorded.

const INVALID = 'Please correct the highlighted fields.';
const SIGNED_OUT: FormResult = {
  status: 'rejected',
  code: 'SignedOut',
  message: 'Your session has ended. Sign in again, then resubmit.',
};

const text = formText;
/** The submitted key if it can be one, else a fresh one (a form always carries a usable key). */
const keyOf = (form: FormData) => {
  const key = text(form, 'commandId');
  return key.length > 0 && key.length <= 255 ? key : randomUUID();
};
/** Recorded outcomes spend the key; a new request needs a new one. */
const recorded = (result: FormResult) =>
  result.status === 'success' ||
  result.status === 'key-reused' ||
  (result.status === 'rejected' && result.code !== 'SignedOut');
const nextKey = (key: string, result: FormResult) => (recorded(result) ? randomUUID() : key);
const invalid = (fieldErrors: Record<string, string>): FormResult => ({
  status: 'invalid',
  fieldErrors,
  message: INVALID,
});

/**
 * The form was sent by the account page's script, which shows an accepted command's update itself
 * (app/components/page-renders.ts); a replayed outcome's row was written at another time, so its
 * page is rendered instead.
 */
const takesUpdate = (form: FormData, replayed: boolean) => text(form, 'takesUpdate') === '1' && !replayed;
/** The account's page and the accounts list are rendered again, the current one with the answer. */
function revalidateAccount(accountId: string) {
  revalidatePath(`/accounts/${accountId}`);
  revalidatePath('/');
}

/**
 * The API's per-customer budgets hold for the forms too (lib/http/api-limits.ts): every action is one
 * request of the customer, every command a new key. Over budget nothing is recorded: the key is kept.
 */
async function overBudget(customerId: string, key: string | null): Promise<FormResult | null> {
  const refused = await actionBudgetRefusal(customerId, key === null ? null : scopedCommandId(customerId, key));
  if (!refused) return null;
  const what = refused.over === 'requests' ? 'too many requests' : 'too many new requests this hour';
  return {
    status: 'busy',
    message: `You have made ${what}. Please try again in ${waitText(refused.retryAfterSeconds)}; nothing was done.`,
  };
}

export async function openAccountAction(_previous: unknown, form: FormData): Promise<OpenAccountFormState> {
  const values = { owner: text(form, 'owner'), openingDeposit: text(form, 'openingDeposit') };
  const key = keyOf(form);
  const answer = (result: FormResult): OpenAccountFormState => ({
    result,
    values,
    commandId: nextKey(key, result),
    highlight: null,
  });
  const customer = await currentCustomer();
  if (!customer) return answer(SIGNED_OUT);
  const parsed = openAccountSchema.safeParse({ ...values, commandId: key });
  if (!parsed.success) return answer(invalid(fieldErrorsOf(parsed.error)));
  const refused = await overBudget(customer.id, key);
  if (refused) return answer(refused);
  const { owner, openingDeposit } = parsed.data;
  const accountId = newAccountId();
  const outcome = await openAccount((accountNumber) => ({
    type: 'OpenAccount',
    data: { accountId, accountNumber, owner, openingDepositCents: openingDeposit },
    metadata: { commandId: scopedCommandId(customer.id, key), now: new Date(), customerId: customer.id },
  }));
  const result = toFormResult(outcome, accountConfirmation('Opened the account with'));
  if (result.status !== 'success') return answer(result);
  revalidatePath('/');
  // The account page confirms the opening (a form posted without JavaScript follows the redirect).
  (await cookies()).set(OPENED_COOKIE, result.accountId, {
    path: `/accounts/${result.accountId}`,
    maxAge: 120,
    httpOnly: true,
    sameSite: 'lax',
  });
  if (text(form, 'enhanced') !== '1') redirect(`/accounts/${result.accountId}`);
  return answer(result);
}

export async function depositAction(_previous: unknown, form: FormData): Promise<MoneyFormState> {
  return moveMoney('DepositMoney', form);
}

export async function withdrawAction(_previous: unknown, form: FormData): Promise<MoneyFormState> {
  return moveMoney('WithdrawMoney', form);
}

async function moveMoney(type: 'DepositMoney' | 'WithdrawMoney', form: FormData): Promise<MoneyFormState> {
  const values = { amount: text(form, 'amount') };
  const key = keyOf(form);
  const answer = (result: FormResult, highlight: number | null = null, update: AccountUpdate | null = null) => ({
    result,
    values: result.status === 'success' ? { amount: '' } : values,
    commandId: nextKey(key, result),
    highlight,
    update,
  });
  const customer = await currentCustomer();
  if (!customer) return answer(SIGNED_OUT);
  const parsed = moneyMovementSchema.safeParse({
    commandId: key,
    accountId: text(form, 'accountId'),
    amount: values.amount,
  });
  if (!parsed.success) return answer(invalid(fieldErrorsOf(parsed.error)));
  const refused = await overBudget(customer.id, key);
  if (refused) return answer(refused);
  const { accountId, amount } = parsed.data;
  const now = new Date();
  const outcome = await handleAccountCommand({
    type,
    data: { accountId, amountCents: amount },
    metadata: { commandId: scopedCommandId(customer.id, key), now, customerId: customer.id },
  });
  const result = toFormResult(outcome, accountConfirmation(type === 'DepositMoney' ? 'Deposited' : 'Withdrew'));
  if (outcome.status !== 'accepted') return answer(result);
  // The account page's script takes what changed from the answer (the balance, the history row the
  // command wrote: `takesUpdate`), so nothing is rendered for it: the action revalidates nothing, and
  // Next.js answers with the state alone. Anywhere else the answer brings the page, rendered again: a
  // form posted without JavaScript, the action's own page, a replayed outcome (its row was written
  // at another time).
  const update = takesUpdate(form, outcome.replayed) ? movementUpdate(type, outcome.result, now) : null;
  if (!update) revalidateAccount(accountId);
  return answer(result, outcome.result.version, update);
}

/**
 * "Review transfer", "Confirm transfer" and "Change" are buttons of one form (`intent`). The review
 * writes nothing and shows only the recipient's masked name; the confirmation carries the key fixed
 * when the form was first shown, so a double-click or a re-posted page moves money once.
 */
export async function transferAction(_previous: unknown, form: FormData): Promise<TransferFormState> {
  const values = {
    toAccountNumber: text(form, 'toAccountNumber'),
    amount: text(form, 'amount'),
    reference: text(form, 'reference'),
  };
  const key = keyOf(form);
  const state = (
    result: FormResult | null,
    review: TransferFormState['review'] = null,
    highlight: number | null = null,
    update: AccountUpdate | null = null,
  ): TransferFormState => ({
    result,
    values: result?.status === 'success' ? { toAccountNumber: '', amount: '', reference: '' } : values,
    commandId: result ? nextKey(key, result) : key,
    highlight,
    review,
    update,
  });
  const customer = await currentCustomer();
  if (!customer) return state(SIGNED_OUT);
  const intent = text(form, 'intent');
  if (intent === 'change') return state(null);

  const fromAccountId = text(form, 'fromAccountId');
  // Bad fields change nothing, not even a budget: a confirmation is checked before it counts as a new command.
  if (intent === 'confirm') {
    const early = transferSchema.safeParse({ ...values, fromAccountId, commandId: key });
    if (!early.success) return state(invalid(fieldErrorsOf(early.error)));
  }
  // Over budget nothing is looked up or recorded; the key is kept for the next confirmation.
  const refused = await overBudget(customer.id, intent === 'confirm' ? key : null);
  if (refused) return state(refused);
  const { review, recipient } = await reviewTransfer(customer.id, { ...values, fromAccountId });
  if (review.status === 'invalid') return state(review);
  if (intent !== 'confirm') return state(null, review);

  const parsed = transferSchema.safeParse({ ...values, fromAccountId, commandId: key });
  if (!parsed.success || !recipient) return state(invalid(parsed.success ? {} : fieldErrorsOf(parsed.error)));
  const { fromAccountId: from, amount, reference } = parsed.data;
  const scoped = scopedCommandId(customer.id, key);
  const now = new Date();
  const outcome = await submitTransfer({
    type: 'TransferMoney',
    data: {
      transferId: randomUUID(),
      fromAccountId: from,
      toAccountId: recipient.accountId,
      amountCents: amount,
      ...(reference ? { reference } : {}),
    },
    metadata: { commandId: scoped, now, customerId: customer.id },
  });
  if (outcome.status === 'inbound-limited') {
    const message = `${inboundLimitText(outcome.perHour)} Try again in ${waitText(outcome.retryAfterSeconds)}.`;
    return state(invalid({ toAccountNumber: message }));
  }
  const result = toFormResult(outcome, transferConfirmation(recipient.maskedName));
  // "Try again" keeps the review on screen, so the same key is confirmed again.
  if (result.status === 'busy') return state(result, review);
  if (outcome.status !== 'accepted') return state(result);
  const written = await versionWrittenBy(from, scoped);
  // As for a deposit (moveMoney): the account page takes the row the transfer wrote on its side
  // from the answer, named as its history names the recipient; anywhere else the page is rendered.
  const update =
    takesUpdate(form, outcome.replayed) && written !== null
      ? transferUpdate(outcome.result, written, await counterpartyFor(recipient.accountId, customer.id), now)
      : null;
  if (!update) revalidateAccount(from);
  return state(result, null, written, update);
}

/**
 * Validates, finds the recipient by number (only from one of the customer's own accounts, within
 * their look-up budget: lib/accounts/recipient-lookup.ts) and shows only their masked name, and whether
 * the sender's balance covers the amount right now (information only: Confirm decides). Writes nothing.
 */
async function reviewTransfer(
  customerId: string,
  input: { fromAccountId: string; toAccountNumber: string; amount: string; reference: string },
): Promise<{ review: TransferReview; recipient?: Recipient }> {
  const refuse = (toAccountNumber: string) => ({
    review: { status: 'invalid', fieldErrors: { toAccountNumber }, message: INVALID } as const,
  });
  const parsed = transferSchema.omit({ commandId: true }).safeParse(input);
  if (!parsed.success)
    return { review: { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID } };
  const lookup = await lookUpRecipient(customerId, parsed.data.fromAccountId, parsed.data.toAccountNumber);
  if (lookup.status === 'over-budget')
    return refuse(`You have looked up too many account numbers. Try again in ${waitText(lookup.retryAfterSeconds)}.`);
  if (lookup.status === 'not-found') return refuse('No account has this number');
  const { recipient } = lookup;
  if (recipient.accountId === parsed.data.fromAccountId) return refuse('This is the account you are sending from');
  const from = await getOwnedAccount(parsed.data.fromAccountId, customerId);
  return {
    recipient,
    review: {
      status: 'review',
      maskedName: recipient.maskedName,
      accountNumber: formatAccountNumber(recipient.accountNumber),
      amount: formatUsd(parsed.data.amount),
      ...(parsed.data.reference ? { reference: parsed.data.reference } : {}),
      ...(from && from.balanceCents < parsed.data.amount ? { shortOf: { balance: formatUsd(from.balanceCents) } } : {}),
    },
  };
}
