'use server';

import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';
import { requireFreshSignIn } from '@/lib/auth/reauthenticate';

// Passkeys on /settings: adding one needs a fresh sign-in (better-auth checks the session's age when
// the browser asks for registration options), so a stale session confirms the password here first.

export type ConfirmState = { error: string | null };

export async function confirmPasswordAction(_previous: ConfirmState, form: FormData): Promise<ConfirmState> {
  const customer = await requireCustomer('/settings');
  const fresh = await requireFreshSignIn(customer, form);
  if (!fresh.ok) return { error: fresh.message };
  // A new request, with the new session's cookie: this one still carries the old, stale session.
  redirect('/settings');
}

/** Removes one of the signed-in customer's passkeys (better-auth refuses anyone else's). */
export async function removePasskeyAction(form: FormData): Promise<void> {
  await requireCustomer('/settings');
  const id = form.get('passkeyId');
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return;
  await auth()
    .api.deletePasskey({ body: { id }, headers: await headers() })
    .catch(() => null);
  revalidatePath('/settings');
}
