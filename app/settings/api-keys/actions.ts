'use server';

import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';
import { apiKeyNameSchema, fieldErrors, type FieldErrors } from '@/lib/auth/forms';

// API keys of the signed-in customer (better-auth's api-key plugin: stored as SHA-256 hashes).
// The key itself exists only in this action's answer: it is shown once and never again.

export type CreateKeyState = { key: string | null; name: string | null; fieldErrors: FieldErrors };

const PATH = '/settings/api-keys';

export async function createApiKeyAction(_previous: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  await requireCustomer(PATH);
  const parsed = apiKeyNameSchema.safeParse({ name: form.get('name') });
  if (!parsed.success) return { key: null, name: null, fieldErrors: fieldErrors(parsed.error) };
  const created = await auth().api.createApiKey({ body: { name: parsed.data.name }, headers: await headers() });
  revalidatePath(PATH);
  return { key: created.key, name: parsed.data.name, fieldErrors: {} };
}

/** Deletes the key: the next request with it gets 401, on every instance. Only the owner's keys. */
export async function revokeApiKeyAction(form: FormData): Promise<void> {
  await requireCustomer(PATH);
  const keyId = form.get('keyId');
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 100) return;
  // better-auth refuses another customer's key (404); nothing to tell the caller beyond the list.
  await auth()
    .api.deleteApiKey({ body: { keyId }, headers: await headers() })
    .catch(() => null);
  revalidatePath(PATH);
}
