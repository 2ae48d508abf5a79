'use server';

import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import { accountConfirmation, toFormResult, transferConfirmation } from '@/lib/accounts/form-outcomes';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { fieldErrorsOf, moneyMovementSchema, openAccountSchema, transferSchema, type FormResult } from '@/lib/accounts/form-schemas';

// Thin adapters: validate, build the command (time and ids are made here, never in the domain),
// dispatch, map the typed outcome. Expected outcomes are return values; only bugs throw.

const INVALID = 'Please correct the highlighted fields.';

export async function openAccountAction(input: unknown): Promise<FormResult> {
  const parsed = openAccountSchema.safeParse(input);
  if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID };
  const { commandId, owner, openingDeposit } = parsed.data;
  const outcome = await handleAccountCommand({
    type: 'OpenAccount',
    data: { accountId: newAccountId(), owner, openingDepositCents: openingDeposit },
    metadata: { commandId, now: new Date() },
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
  const parsed = moneyMovementSchema.safeParse(input);
  if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID };
  const { commandId, accountId, amount } = parsed.data;
  const outcome = await handleAccountCommand({
    type,
    data: { accountId, amountCents: amount },
    metadata: { commandId, now: new Date() },
  });
  if (outcome.status === 'accepted') {
    revalidatePath(`/accounts/${accountId}`);
    revalidatePath('/');
  }
  return toFormResult(outcome, accountConfirmation(type === 'DepositMoney' ? 'Deposited' : 'Withdrew'));
}

export async function transferAction(input: unknown): Promise<FormResult> {
  const parsed = transferSchema.safeParse(input);
  if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), message: INVALID };
  const { commandId, fromAccountId: from, toAccountId: to, amount } = parsed.data;
  const outcome = await handleTransfer({
    type: 'TransferMoney',
    data: { transferId: randomUUID(), fromAccountId: from, toAccountId: to, amountCents: amount },
    metadata: { commandId, now: new Date() },
  });
  if (outcome.status === 'accepted') {
    revalidatePath(`/accounts/${from}`);
    revalidatePath(`/accounts/${to}`);
    revalidatePath('/');
  }
  return toFormResult(outcome, transferConfirmation);
}
