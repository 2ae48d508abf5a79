'use server';

import { revalidatePath } from 'next/cache';
import { requireCustomer } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';
import {
  createEndpointAnswer,
  deleteEndpoint,
  newEndpointBody,
  replayAnswer,
  resendDelivery,
  rotateSecretAnswer,
  sendTest,
  setEnabled,
} from '@/lib/webhooks';

// The settings page's actions: the same code as the API (lib/webhooks), with the form's own
// Idempotency-Key (rendered by the server into the form), so a double submit adds one endpoint.
// Test, resend and enable carry no key: they call the API's functions outside its key's transaction.

const PATH = '/settings/webhooks';

export type SecretState = { secret: string | null; endpointId: string | null; error: string | null };

/** A text field of the form ('' when absent or a file). */
function text(form: FormData, name: string): string {
  const value = form.get(name);
  return value instanceof File || value === null ? '' : value;
}

async function problemDetail(response: Response): Promise<string> {
  const problem = (await response.json()) as { detail?: string; errors?: { detail: string }[] };
  return problem.errors?.[0]?.detail ?? problem.detail ?? 'That did not work.';
}

export async function addEndpointAction(_previous: SecretState, form: FormData): Promise<SecretState> {
  const customer = await requireCustomer(PATH);
  const url = text(form, 'url').trim();
  if (!url) return { secret: null, endpointId: null, error: 'Enter the URL that should receive the events.' };
  const parsed = newEndpointBody.safeParse({ url });
  if (!parsed.success) return { secret: null, endpointId: null, error: parsed.error.issues[0]!.message };
  const key = `form-${text(form, 'formKey').slice(0, 100)}`;
  const response = await createEndpointAnswer(customer.id, key, { url });
  if (response.status !== 201) return { secret: null, endpointId: null, error: await problemDetail(response) };
  const created = (await response.json()) as { id: string; secret: string };
  revalidatePath(PATH);
  return { secret: created.secret, endpointId: created.id, error: null };
}

export async function rotateSecretAction(_previous: SecretState, form: FormData): Promise<SecretState> {
  const customer = await requireCustomer(PATH);
  const endpointId = text(form, 'endpointId');
  const response = await rotateSecretAnswer(customer.id, `form-${text(form, 'formKey').slice(0, 100)}`, endpointId);
  if (response.status !== 200) return { secret: null, endpointId, error: await problemDetail(response) };
  const rotated = (await response.json()) as { secret: string };
  revalidatePath(PATH);
  return { secret: rotated.secret, endpointId, error: null };
}

export type ReplayState = { message: string | null; error: string | null };

export async function replayAction(_previous: ReplayState, form: FormData): Promise<ReplayState> {
  const customer = await requireCustomer(PATH);
  const local = text(form, 'from');
  // datetime-local has no zone: the browser's offset comes with it (UTC without JavaScript).
  const offset = Number(text(form, 'offsetMinutes') || '0');
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local) ? Date.parse(`${local}Z`) : NaN;
  if (!Number.isFinite(at) || !Number.isInteger(offset) || Math.abs(offset) > 24 * 60)
    return { message: null, error: 'Enter a date and time to replay from.' };
  const from = new Date(at + offset * 60_000).toISOString();
  const response = await replayAnswer(
    customer.id,
    `form-${text(form, 'formKey').slice(0, 100)}`,
    text(form, 'endpointId'),
    from,
  );
  if (response.status !== 202) return { message: null, error: await problemDetail(response) };
  const { events } = (await response.json()) as { events: number };
  revalidatePath(PATH);
  return { message: `${events} ${events === 1 ? 'event' : 'events'} will be delivered again.`, error: null };
}

export async function sendTestEventAction(form: FormData): Promise<void> {
  const customer = await requireCustomer(PATH);
  await sendTest(db(), customer.id, text(form, 'endpointId'));
  revalidatePath(PATH);
}

export async function setEnabledAction(form: FormData): Promise<void> {
  const customer = await requireCustomer(PATH);
  await setEnabled(db(), customer.id, text(form, 'endpointId'), text(form, 'enabled') === 'true');
  revalidatePath(PATH);
}

export async function deleteEndpointAction(form: FormData): Promise<void> {
  const customer = await requireCustomer(PATH);
  await deleteEndpoint(customer.id, text(form, 'endpointId'));
  revalidatePath(PATH);
}

export async function resendAction(form: FormData): Promise<void> {
  const customer = await requireCustomer(PATH);
  await resendDelivery(db(), customer.id, text(form, 'endpointId'), text(form, 'deliveryId'));
  revalidatePath(PATH);
}
