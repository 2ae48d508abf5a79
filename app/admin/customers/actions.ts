'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { disableCustomer, enableCustomer, type ToggleOutcome } from '@/lib/admin/customers';
import { requireAdmin } from '@/lib/admin/require-admin';

export type ToggleState = (ToggleOutcome & { userId: string }) | null;

/** Disable or enable one customer; the admin check comes first, as in every admin action. */
export async function toggleCustomerAction(_previous: ToggleState, form: FormData): Promise<ToggleState> {
  const admin = await requireAdmin();
  const userId = form.get('userId');
  const operation = form.get('operation');
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 100)
    return { ok: false, message: 'No customer was chosen.', userId: '' };
  const requestHeaders = await headers();
  let outcome: ToggleOutcome;
  if (operation === 'disable') outcome = await disableCustomer(userId, admin, requestHeaders);
  else if (operation === 'enable') outcome = await enableCustomer(userId, admin, requestHeaders);
  else outcome = { ok: false, message: 'Choose Disable or Enable.' };
  revalidatePath('/admin/customers');
  return { ...outcome, userId };
}
