'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { scopedCommandId } from '@/lib/accounts/ids';
import { currentCustomer } from '@/lib/auth/customer';
import { checkFields } from '@/lib/standing-orders/form';
import { cancelStandingOrder, createStandingOrder } from '@/lib/standing-orders/service';

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value.slice(0, 200) : '';
};

/**
 * "Confirm standing order": the reviewed fields and the key fixed when the form was first shown,
 * so a double click or a re-posted review creates one standing order. Without JavaScript too: the
 * answer is a redirect, to the account's standing orders or back to the form with what went wrong.
 */
export async function confirmStandingOrderAction(form: FormData): Promise<void> {
  const accountId = text(form, 'accountId');
  const key = text(form, 'key');
  const fields = {
    toAccountNumber: text(form, 'toAccountNumber'),
    amount: text(form, 'amount'),
    every: text(form, 'every'),
    firstPaymentOn: text(form, 'firstPaymentOn'),
  };
  const back = (error: string) =>
    redirect(
      `/accounts/${encodeURIComponent(accountId)}/standing-orders/new?${new URLSearchParams({ ...fields, key, error })}`,
    );
  const customer = await currentCustomer();
  if (!customer) redirect(`/sign-in?next=${encodeURIComponent(`/accounts/${accountId}`)}`);
  const now = new Date();
  const checked = checkFields(fields, now.toISOString().slice(0, 10));
  if (!checked.ok || !/^[\x21-\x7e]{1,100}$/.test(key)) back('Check the fields and review the standing order again.');
  if (!checked.ok) return;
  const outcome = await createStandingOrder(
    customer.id,
    { fromAccountId: accountId, ...checked.value },
    scopedCommandId(customer.id, `standing-order:${key}`),
    now,
  );
  if (outcome.status === 'over-budget') back('You have looked up too many account numbers. Try again later.');
  if (outcome.status === 'not-found') back('No account has this number.');
  if (outcome.status === 'busy') back('The bank is busy. Confirm again: it will not be created twice.');
  if (outcome.status === 'key-reused') back('This form was already used. Start again.');
  if (outcome.status === 'rejected') {
    const r = outcome.rejection;
    back(r.code === 'InvalidStandingOrder' ? r.reason : 'This standing order could not be created.');
  }
  revalidatePath(`/accounts/${accountId}`);
  redirect(`/accounts/${encodeURIComponent(accountId)}?standing-order=created#standing-orders-heading`);
}

/** "Cancel": stops every payment not yet started; the page then says which one, if any, was already running. */
export async function cancelStandingOrderAction(form: FormData): Promise<void> {
  const accountId = text(form, 'accountId');
  const id = text(form, 'standingOrderId').toLowerCase();
  const customer = await currentCustomer();
  if (!customer) redirect(`/sign-in?next=${encodeURIComponent(`/accounts/${accountId}`)}`);
  let notice = 'cancel-failed';
  if (/^[0-9a-f-]{36}$/.test(id)) {
    const outcome = await cancelStandingOrder(customer.id, id, new Date());
    if (outcome.status === 'accepted') notice = `cancelled:${outcome.result.runningWhenCancelled?.dueOn ?? 'none'}`;
    if (outcome.status === 'rejected' && outcome.rejection.code === 'StandingOrderCancelled') notice = 'cancelled:none';
  }
  revalidatePath(`/accounts/${accountId}`);
  redirect(`/accounts/${encodeURIComponent(accountId)}?standing-order=${notice}#standing-orders-heading`);
}
