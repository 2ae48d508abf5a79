import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resendAction, sendTestEventAction, setEnabledAction } from '@/app/settings/webhooks/actions';
import { db } from '@/lib/db/prisma';
import { appDatabase } from '@/test/auth';
import { apiCustomer, type ApiCustomer } from '@/test/in-process-api';

// The settings page's buttons without an Idempotency-Key (Send test event, Disable / Enable, Resend)
// are the API's functions too: the same changes, and another customer's ids change nothing. Server
// actions run in-process with the signed-in browser's cookie as their request headers.

const request = { headers: new Headers() };
vi.mock('next/headers', () => ({
  headers: async () => request.headers,
  cookies: async () => ({ get: () => undefined, set: () => undefined }),
}));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

let owner: ApiCustomer;
let other: ApiCustomer;
appDatabase();
beforeAll(async () => {
  [owner, other] = [await apiCustomer('Page Owner'), await apiCustomer('Page Other')];
});

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};
const signedInAs = (who: ApiCustomer) => (request.headers = new Headers({ cookie: who.cookie }));

async function endpointOf(who: ApiCustomer): Promise<string> {
  const { data } = await who.api.POST('/api/webhook-endpoints', {
    params: { header: { 'Idempotency-Key': randomUUID() } },
    body: { url: 'https://page.example/hook' },
  });
  return data!.id;
}
const deliveriesOf = (endpointId: string) =>
  db().webhookDelivery.findMany({ where: { endpointId }, orderBy: { id: 'asc' } });
const stateOf = (id: string) =>
  db().webhookEndpoint.findUniqueOrThrow({
    where: { id },
    select: { enabled: true, disabledReason: true, failingSince: true },
  });

describe('the settings page’s buttons', () => {
  it('send a test event, resend it, disable and enable, as the API does', async () => {
    const endpointId = await endpointOf(owner);
    signedInAs(owner);
    await sendTestEventAction(form({ endpointId }));
    const [test] = await deliveriesOf(endpointId);
    expect(test).toMatchObject({ eventType: 'webhook.test', status: 'pending' });

    await resendAction(form({ endpointId, deliveryId: test!.id.toString() }));
    const copies = await deliveriesOf(endpointId);
    expect(copies.map((d) => d.eventId)).toEqual([test!.eventId, test!.eventId]);

    await db().webhookEndpoint.update({ where: { id: endpointId }, data: { failingSince: new Date() } });
    await setEnabledAction(form({ endpointId, enabled: 'false' }));
    expect(await stateOf(endpointId)).toMatchObject({ enabled: false, disabledReason: 'Disabled by you.' });
    await setEnabledAction(form({ endpointId, enabled: 'true' }));
    expect(await stateOf(endpointId)).toEqual({ enabled: true, disabledReason: null, failingSince: null });
  });

  it('change nothing of another customer’s endpoint', async () => {
    const endpointId = await endpointOf(owner);
    signedInAs(owner);
    await sendTestEventAction(form({ endpointId }));
    const [test] = await deliveriesOf(endpointId);
    signedInAs(other);
    await sendTestEventAction(form({ endpointId }));
    await resendAction(form({ endpointId, deliveryId: test!.id.toString() }));
    await setEnabledAction(form({ endpointId, enabled: 'false' }));
    expect(await deliveriesOf(endpointId)).toEqual([test]);
    expect(await stateOf(endpointId)).toMatchObject({ enabled: true, disabledReason: null });
  });
});
