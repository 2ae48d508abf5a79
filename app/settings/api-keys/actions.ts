'use server';

import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';
import { apiKeySchema, fieldErrors, KEY_ACCESS, type FieldErrors } from '@/lib/auth/forms';
import { SCOPE_RESOURCE } from '@/lib/auth/policy';
import { CURRENT_PASSWORD_FIELD, requireFreshSignIn } from '@/lib/auth/reauthenticate';

// API keys of the signed-in customer (better-auth's api-key plugin: stored as SHA-256 hashes).
// The key itself exists only in this action's answer: it is shown once and never again.

export type CreateKeyState = {
  key: string | null;
  keyId: string | null;
  name: string | null;
  fieldErrors: FieldErrors;
};

const PATH = '/settings/api-keys';

export async function createApiKeyAction(_previous: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  const customer = await requireCustomer(PATH);
  const parsed = apiKeySchema.safeParse({
    name: form.get('name'),
    expiresInDays: form.get('expiresInDays') ?? '90',
    access: form.get('access') ?? 'read-write',
  });
  if (!parsed.success) return { key: null, keyId: null, name: null, fieldErrors: fieldErrors(parsed.error) };
  // A stolen session must not leave a key behind: a recent sign-in, or the password again.
  const fresh = await requireFreshSignIn(customer, form);
  if (!fresh.ok)
    return { key: null, keyId: null, name: null, fieldErrors: { [CURRENT_PASSWORD_FIELD]: fresh.message } };
  // Made server-side for this customer (the only way better-auth lets scopes be set), after the checks above.
  const created = await auth().api.createApiKey({
    body: {
      name: parsed.data.name,
      userId: customer.id,
      expiresIn: parsed.data.expiresInDays * 24 * 60 * 60,
      permissions: { [SCOPE_RESOURCE]: [...KEY_ACCESS[parsed.data.access]] },
    },
  });
  revalidatePath(PATH);
  return { key: created.key, keyId: created.id, name: parsed.data.name, fieldErrors: {} };
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
