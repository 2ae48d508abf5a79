'use server';

import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { accountConfirmation, toFormResult, transferConfirmation } from '@/lib/accounts/form-outcomes';
import { fieldErrorsOf, moneyMovementSchema, openAccountSchema, transferSchema, type FormResult, type TransferReview } from '@/lib/accounts/form-schemas';
import { newAccountId, nextAccountNumberBody, scopedCommandId } from '@/lib/accounts/ids';
import { findRecipient } from '@/lib/accounts/queries';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { currentCustomer } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';
import { accountNumberOf, formatAccountNumber } from '@/lib/domain/account-number';
import { formatUsd } from '@/lib/domain/money';

// Thin adapters: who is acting, validate, build the command (time, ids and the acting customer are
// made here, never in the domain), dispatch, map the typed outcome. Expected outcomes are return
// values; only bugs throw. The form's key becomes a command id in the customer's own namespace.

const INVALID = 'Please correct the highlighted fields.';
const SIGNED_OUT: FormResult = { status: 'rejected', code: 'SignedOut', message: 'Your session has ended. Sign in again, then resubmit.' };

export async function openAccountAction(input: unknown): Promise<FormResult> {
  const customer = await currentCustomer();
  if (!customer) return SIGNED_OUT;
  const parsed = openAccountSchema.safeParse(input);
  if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID };
  const { commandId, owner, openingDeposit } = parsed.data;
  const outcome = await handleAccountCommand({
    type: 'OpenAccount',
    data: { accountId: newAccountId(), accountNumber: accountNumberOf(await nextAccountNumberBody(db())), owner, openingDepositCents: openingDeposit },
    metadata: { commandId: scopedCommandId(customer.id, commandId), now: new Date(), customerId: customer.id },
  });
  if (outcome.status === 'accepted') revalidatePath('/');
  return toFormResult(outcome, accountConfirmation('Opened the account with'));
}

export async function depositAction(input: unknown): Promise<FormResult> {
  return moveMoney('DepositMoney', input);
}

export async function withdrawAction(input: unknown): Promise<FormResult> {
  return moveMoney('WithdrawMoney', input);
}

async function moveMoney(type: 'DepositMoney' | 'WithdrawMoney', input: unknown): Promise<FormResult> {
  const customer = await currentCustomer();
  if (!customer) return SIGNED_OUT;
  const parsed = moneyMovementSchema.safeParse(input);
  if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID };
  const { commandId, accountId, amount } = parsed.data;
  const outcome = await handleAccountCommand({
    type,
    data: { accountId, amountCents: amount },
    metadata: { commandId: scopedCommandId(customer.id, commandId), now: new Date(), customerId: customer.id },
  });
  if (outcome.status === 'accepted') {
    revalidatePath(`/accounts/${accountId}`);
    revalidatePath('/');
  }
  return toFormResult(outcome, accountConfirmation(type === 'DepositMoney' ? 'Deposited' : 'Withdrew'));
}

/** The review step: validates, finds the recipient by number and shows only their masked name. Writes nothing. */
export async function reviewTransferAction(input: unknown): Promise<TransferReview | FormResult> {
  const customer = await currentCustomer();
  if (!customer) return SIGNED_OUT;
  const parsed = transferSchema.omit({ commandId: true }).safeParse(input);
  if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID };
  const recipient = await findRecipient(parsed.data.toAccountNumber);
  if (!recipient) return { status: 'invalid', fieldErrors: { toAccountNumber: 'No account has this number' }, message: INVALID };
  if (recipient.accountId === parsed.data.fromAccountId) {
    return { status: 'invalid', fieldErrors: { toAccountNumber: 'This is the account you are sending from' }, message: INVALID };
  }
  return { status: 'review', maskedName: recipient.maskedName, accountNumber: formatAccountNumber(recipient.accountNumber), amount: formatUsd(parsed.data.amount) };
}

export async function transferAction(input: unknown): Promise<FormResult> {
  const customer = await currentCustomer();
  if (!customer) return SIGNED_OUT;
  const parsed = transferSchema.safeParse(input);
  if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID };
  const { commandId, fromAccountId: from, toAccountNumber, amount } = parsed.data;
  const recipient = await findRecipient(toAccountNumber);
  if (!recipient) return { status: 'invalid', fieldErrors: { toAccountNumber: 'No account has this number' }, message: INVALID };
  const outcome = await handleTransfer({
    type: 'TransferMoney',
    data: { transferId: randomUUID(), fromAccountId: from, toAccountId: recipient.accountId, amountCents: amount },
    metadata: { commandId: scopedCommandId(customer.id, commandId), now: new Date(), customerId: customer.id },
  });
  if (outcome.status === 'accepted') {
    revalidatePath(`/accounts/${from}`);
    revalidatePath('/');
  }
  return toFormResult(outcome, transferConfirmation(recipient.maskedName));
}
