import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db/prisma';
import { appDatabase } from '@/test/auth';
import { apiCustomer, type ApiCustomer } from '@/test/in-process-api';
import { answerText } from '@/test/typed-api';
import * as removeRoute from '@/app/api/webhook-endpoints/[endpointId]/route';

// The webhook endpoint API, in-process, every answer validated against the OpenAPI document
// (test/openapi-recorder.setup.ts). Bad input gets problem+json and changes nothing.

let a: ApiCustomer;
let b: ApiCustomer;
appDatabase();
beforeAll(async () => {
  [a, b] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Bob Builder')];
});
afterEach(() => {
  vi.unstubAllEnvs();
});

type Answer = { status: number; type: string | null; replayed: string | null; body: Record<string, unknown> | null };
const answer = ({ response }: { response: Response }): Answer => {
  const text = answerText(response);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    replayed: response.headers.get('idempotent-replayed'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
};

const create = (who: ApiCustomer, body: unknown, key: string = randomUUID()) =>
  who.api
    .POST('/api/webhook-endpoints', {
      params: { header: { 'Idempotency-Key': key } },
      body: body as { url: string },
    })
    .then(answer);
const rotate = (who: ApiCustomer, endpointId: string, key: string = randomUUID()) =>
  who.api
    .POST('/api/webhook-endpoints/{endpointId}/rotate-secret', {
      params: { path: { endpointId }, header: { 'Idempotency-Key': key } },
    })
    .then(answer);
const replay = (who: ApiCustomer, endpointId: string, from: string, key: string = randomUUID()) =>
  who.api
    .POST('/api/webhook-endpoints/{endpointId}/replay', {
      params: { path: { endpointId }, header: { 'Idempotency-Key': key } },
      body: { from },
    })
    .then(answer);
const remove = (who: ApiCustomer, endpointId: string) =>
  who.api.DELETE('/api/webhook-endpoints/{endpointId}', { params: { path: { endpointId } } }).then(answer);
const deliveries = (who: ApiCustomer, endpointId: string) =>
  who.api.GET('/api/webhook-endpoints/{endpointId}/deliveries', { params: { path: { endpointId } } }).then(answer);
const getOne = (who: ApiCustomer, endpointId: string) =>
  who.api.GET('/api/webhook-endpoints/{endpointId}', { params: { path: { endpointId } } }).then(answer);
const patch = (who: ApiCustomer, endpointId: string, body: unknown) =>
  who.api
    .PATCH('/api/webhook-endpoints/{endpointId}', {
      params: { path: { endpointId } },
      body: body as { enabled: boolean },
    })
    .then(answer);
// A null key sends none.
const sendTest = (who: ApiCustomer, endpointId: string, key: string | null = randomUUID()) =>
  who.api
    .POST('/api/webhook-endpoints/{endpointId}/test', {
      params: {
        path: { endpointId },
        header: (key === null ? {} : { 'Idempotency-Key': key }) as { 'Idempotency-Key': string },
      },
    })
    .then(answer);
const resend = (who: ApiCustomer, endpointId: string, deliveryId: string, key: string = randomUUID()) =>
  who.api
    .POST('/api/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend', {
      params: { path: { endpointId, deliveryId }, header: { 'Idempotency-Key': key } },
    })
    .then(answer);
type Delivery = { id: string; eventId: string; eventType: string; status: string };
const deliveriesOf = async (who: ApiCustomer, endpointId: string) =>
  (await deliveries(who, endpointId)).body!.deliveries as Delivery[];
/** The endpoint as the list shows it. */
const inList = async (who: ApiCustomer, endpointId: string) =>
  (answer(await who.api.GET('/api/webhook-endpoints')).body!.endpoints as { id: string }[]).find(
    (e) => e.id === endpointId,
  );
const endpointNotFound = (id: string) => ({
  status: 404,
  type: 'application/problem+json',
  replayed: null,
  body: {
    type: '/problems/webhook-endpoint-not-found',
    title: 'Webhook endpoint not found',
    status: 404,
    detail: `You have no webhook endpoint ${id}.`,
    endpointId: id,
  },
});

const endpointsOf = (who: ApiCustomer) => db().webhookEndpoint.findMany({ where: { customerId: who.id } });
const snapshot = async () =>
  JSON.stringify(
    [
      await db().webhookEndpoint.findMany({ orderBy: { id: 'asc' } }),
      await db().webhookDelivery.count(),
      await db().webhookApiRequest.count(),
    ],
    (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
  );

describe('adding an endpoint', () => {
  it('answers 201 with the secret, once; the same key replays the answer; the list never shows the secret', async () => {
    const key = randomUUID();
    const first = await create(a, { url: 'https://books.example/hooks', eventTypes: ['transfer.received'] }, key);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: 'https://books.example/hooks',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      eventTypes: ['transfer.received'],
    });
    const again = await create(a, { url: 'https://books.example/hooks', eventTypes: ['transfer.received'] }, key);
    expect(again).toEqual({ ...first, replayed: 'true' });
    expect((await endpointsOf(a)).length).toBe(1);
    const stored = (await endpointsOf(a))[0]!;
    expect(stored.secret).not.toContain((first.body!.secret as string).slice(6));

    const reused = await create(a, { url: 'https://other.example/hooks' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ type: '/problems/idempotency-key-reused' });

    const list = answer(await a.api.GET('/api/webhook-endpoints'));
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect(list.body).toEqual({
      endpoints: [
        {
          id: first.body!.id,
          url: 'https://books.example/hooks',
          eventTypes: ['transfer.received'],
          enabled: true,
          disabledReason: null,
          createdAt: expect.any(String),
        },
      ],
    });
  });

  it.each([
    [{ url: 'not a url' }, /full URL/],
    [{ url: 'ftp://files.example/x' }, /https:\/\//],
    [{ url: 'https://u:p@books.example/' }, /user name or password/],
    [{ url: 'https://books.example/', eventTypes: ['money.stolen'] }, /must be one of/],
    [{ url: 'https://books.example/', extra: 1 }, /unknown field/],
  ])('refuses %j with a field error, changing nothing', async (body, message) => {
    const before = await snapshot();
    const refused = await create(b, body);
    expect(refused.status).toBe(422);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ type: '/problems/validation-failed' });
    expect(JSON.stringify(refused.body)).toMatch(message);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a missing Idempotency-Key (400), changing nothing', async () => {
    const before = await snapshot();
    const refused = answer(
      await b.api.POST('/api/webhook-endpoints', {
        params: { header: {} as { 'Idempotency-Key': string } },
        body: { url: 'https://books.example/' },
      }),
    );
    expect(refused.status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  it('in production refuses loopback and private addresses unless allowed, changing nothing', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const before = await snapshot();
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest',
    ]) {
      const refused = await create(b, { url });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ type: '/problems/validation-failed', errors: [{ pointer: '/url' }] });
      expect(JSON.stringify(refused.body)).toMatch(/loopback|private|metadata/);
    }
    expect(await snapshot()).toBe(before);
    vi.stubEnv('IDEM_WEBHOOK_ALLOWED_HOSTS', '127.0.0.1');
    expect((await create(b, { url: 'http://127.0.0.1:8080/hook' })).status).toBe(201);
    expect((await create(b, { url: 'http://10.1.2.3/hook' })).status).toBe(422);
  });

  it('takes at most 10 endpoints per customer: the 11th is refused and changes nothing, even when sent together', async () => {
    const c = await apiCustomer('Cy Young');
    for (let i = 0; i < 8; i++) expect((await create(c, { url: `https://c.example/${i}` })).status).toBe(201);
    const together = await Promise.all([1, 2, 3].map((i) => create(c, { url: `https://c.example/t${i}` })));
    expect(together.map((r) => r.status).sort()).toEqual([201, 201, 422]);
    const before = await snapshot();
    const eleventh = await create(c, { url: 'https://c.example/11' });
    expect(eleventh.status).toBe(422);
    expect(eleventh.body).toMatchObject({ type: '/problems/webhook-endpoint-limit', limit: 10 });
    expect(await snapshot()).toBe(before);
    expect((await endpointsOf(c)).length).toBe(10);
  });
});

describe("another customer's endpoint", () => {
  it('is not found (404) for every operation, and nothing of it changes', async () => {
    const mine = await create(a, { url: 'https://a.example/own' });
    const id = mine.body!.id as string;
    const delivery = (await sendTest(a, id)).body!.deliveryId as string;
    const before = await snapshot();
    const answers = [
      await remove(b, id),
      await getOne(b, id),
      await patch(b, id, { enabled: false }),
      await deliveries(b, id),
      await replay(b, id, '2020-01-01T00:00:00Z'),
      await rotate(b, id),
      await sendTest(b, id),
      await resend(b, id, delivery),
      await remove(b, randomUUID()),
      await remove(b, 'not-a-uuid'),
    ];
    for (const refused of answers) {
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ type: '/problems/webhook-endpoint-not-found' });
    }
    expect(await snapshot()).toBe(before);
  });

  it('cannot be deleted or disabled from another site with the owner’s session cookie (403)', async () => {
    const mine = await create(a, { url: 'https://a.example/csrf' });
    const before = await snapshot();
    const request = new Request(`http://127.0.0.1:3000/api/webhook-endpoints/${mine.body!.id as string}`, {
      method: 'DELETE',
      headers: { cookie: a.cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    const response = await removeRoute.DELETE(request, {
      params: Promise.resolve({ endpointId: mine.body!.id as string }),
    });
    expect(response.status).toBe(403);
    const disable = new Request(request.url, {
      method: 'PATCH',
      headers: { ...Object.fromEntries(request.headers), 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    const disabled = await removeRoute.PATCH(disable, {
      params: Promise.resolve({ endpointId: mine.body!.id as string }),
    });
    expect(disabled.status).toBe(403);
    expect(await snapshot()).toBe(before);
  });
});

describe('rotating a secret', () => {
  it('answers a new secret, keeps the previous for 24 h, and replays for the same key', async () => {
    const created = await create(a, { url: 'https://a.example/rotate' });
    const id = created.body!.id as string;
    const original = await db().webhookEndpoint.findUniqueOrThrow({ where: { id } });
    const key = randomUUID();
    const rotated = await rotate(a, id, key);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({
      id,
      secret: expect.stringMatching(/^whsec_/),
      previousSecretValidUntil: expect.any(String),
    });
    expect(rotated.body!.secret).not.toBe(created.body!.secret);
    const until = Date.parse(rotated.body!.previousSecretValidUntil as string);
    expect(until - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(await rotate(a, id, key)).toEqual({ ...rotated, replayed: 'true' });
    const stored = await db().webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored.previousSecret).toBe(original.secret);
    expect(stored.secret).not.toBe(original.secret);
  });
});

describe('deleting and replaying', () => {
  it('replays events from a time (202 with the count), lists deliveries, deletes (204)', async () => {
    const created = await create(a, { url: 'https://a.example/replay' });
    const id = created.body!.id as string;
    const account = await a.open('10.00');
    const middle = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await a.deposit(account.id, { amount: '1.00' });
    await a.withdraw(account.id, { amount: '2.00' });
    const replayed = await replay(a, id, middle.toISOString());
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ endpointId: id, events: 2 });
    const listed = await deliveries(a, id);
    expect(listed.status).toBe(200);
    const types = (listed.body!.deliveries as { eventType: string }[]).map((d) => d.eventType);
    expect(types).toEqual(['money.withdrawn', 'money.deposited']);
    expect(
      (
        await a.api.GET('/api/webhook-endpoints/{endpointId}/deliveries', {
          params: { path: { endpointId: id }, query: { limit: 0 } },
        })
      ).response.status,
    ).toBe(400);
    expect((await remove(a, id)).status).toBe(204);
    expect(await db().webhookDelivery.count({ where: { endpointId: id } })).toBe(0);
    expect((await remove(a, id)).status).toBe(404);
  });
});

describe('one endpoint', () => {
  let c: ApiCustomer;
  beforeAll(async () => {
    c = await apiCustomer('Di Single');
  });

  it('is answered as the list shows it; another customer’s, an unknown and a malformed id are not found (404)', async () => {
    const created = await create(c, { url: 'https://a.example/one', eventTypes: ['money.deposited'] });
    const id = created.body!.id as string;
    const one = await getOne(c, id);
    expect(one).toEqual({ status: 200, type: 'application/json', replayed: null, body: await inList(c, id) });
    expect(one.body).toMatchObject({ id, url: 'https://a.example/one', enabled: true, disabledReason: null });
    expect(JSON.stringify(one.body)).not.toContain('whsec_');
    const unknown = randomUUID();
    expect(await getOne(b, id)).toEqual(endpointNotFound(id));
    expect(await getOne(c, unknown)).toEqual(endpointNotFound(unknown));
    expect(await getOne(c, 'not-a-uuid')).toEqual(endpointNotFound('not-a-uuid'));
  });
});

describe('enabling and disabling', () => {
  let c: ApiCustomer;
  beforeAll(async () => {
    c = await apiCustomer('Ed Switch');
  });

  it('PATCH disables and enables: the answer, GET and the list agree; enabling clears the reason and the failing clock', async () => {
    const id = (await create(c, { url: 'https://a.example/toggle' })).body!.id as string;
    await db().webhookEndpoint.update({ where: { id }, data: { failingSince: new Date(Date.now() - 86_400_000) } });
    const disabled = await patch(c, id, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id, enabled: false, disabledReason: 'Disabled by you.' });
    expect((await getOne(c, id)).body).toEqual(disabled.body);
    expect(await inList(c, id)).toEqual(disabled.body);
    const before = await snapshot();
    expect(await patch(c, id, { enabled: false })).toEqual(disabled);
    expect(await snapshot()).toBe(before);

    const enabled = await patch(c, id, { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toEqual({ ...disabled.body, enabled: true, disabledReason: null });
    expect((await getOne(c, id)).body).toEqual(enabled.body);
    expect(await inList(c, id)).toEqual(enabled.body);
    expect(await db().webhookEndpoint.findUniqueOrThrow({ where: { id } })).toMatchObject({ failingSince: null });
    expect(await patch(c, id, { enabled: true })).toEqual(enabled);
  });

  it('disabling an endpoint disabled after 5 days of failures keeps its reason; enabling clears it', async () => {
    const id = (await create(c, { url: 'https://a.example/auto' })).body!.id as string;
    const reason = 'Disabled automatically: every delivery failed for 5 days (last: HTTP 500).';
    await db().webhookEndpoint.update({
      where: { id },
      data: { enabled: false, disabledReason: reason, failingSince: new Date(Date.now() - 6 * 86_400_000) },
    });
    const before = await snapshot();
    expect((await patch(c, id, { enabled: false })).body).toMatchObject({ enabled: false, disabledReason: reason });
    expect(await snapshot()).toBe(before);
    expect((await patch(c, id, { enabled: true })).body).toMatchObject({ enabled: true, disabledReason: null });
    expect(await db().webhookEndpoint.findUniqueOrThrow({ where: { id } })).toMatchObject({ failingSince: null });
  });

  it.each([
    [{}, 422, /^enabled is required: true or false$/],
    [{ enabled: 'yes' }, 422, /^enabled must be true or false$/],
    [{ enabled: null }, 422, /^enabled must be true or false$/],
    [{ enabled: false, url: 'https://elsewhere.example/' }, 422, /^unknown field\(s\): url$/],
    ['[false]', 422, /^the body must be a JSON object$/],
    ['{"enabled": fals', 400, /not valid JSON/],
  ])('refuses the body %j with a problem naming what is wrong, changing nothing', async (body, status, message) => {
    const id = (await create(b, { url: 'https://b.example/patch' })).body!.id as string;
    const before = await snapshot();
    const refused = await patch(b, id, body);
    expect(refused.status).toBe(status);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      type: status === 422 ? '/problems/validation-failed' : '/problems/invalid-request',
    });
    expect(refused.body!.detail).toMatch(message);
    expect(await snapshot()).toBe(before);
    expect((await getOne(b, id)).body).toMatchObject({ enabled: true });
    expect((await remove(b, id)).status).toBe(204);
  });

  it('refuses a body that is not JSON (415), changing nothing', async () => {
    const id = (await create(b, { url: 'https://b.example/text' })).body!.id as string;
    const before = await snapshot();
    const refused = answer(
      await b.api.PATCH('/api/webhook-endpoints/{endpointId}', {
        params: { path: { endpointId: id } },
        body: 'enabled=false' as never,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(refused.status).toBe(415);
    expect(refused.body).toMatchObject({ type: '/problems/unsupported-media-type' });
    expect(await snapshot()).toBe(before);
    expect((await remove(b, id)).status).toBe(204);
  });

  it('another customer’s endpoint is not found (404) and stays as it is', async () => {
    const id = (await create(c, { url: 'https://a.example/not-yours' })).body!.id as string;
    const before = await snapshot();
    expect(await patch(b, id, { enabled: false })).toEqual(endpointNotFound(id));
    expect(await patch(b, 'not-a-uuid', { enabled: false })).toEqual(endpointNotFound('not-a-uuid'));
    expect(await snapshot()).toBe(before);
    expect((await getOne(c, id)).body).toMatchObject({ enabled: true, disabledReason: null });
  });
});

describe('sending a test event', () => {
  let c: ApiCustomer;
  beforeAll(async () => {
    c = await apiCustomer('Flo Tester');
  });

  it('queues one webhook.test delivery (202); the same key replays the answer and queues nothing more', async () => {
    const id = (await create(c, { url: 'https://a.example/test', eventTypes: ['transfer.sent'] })).body!.id as string;
    const key = randomUUID();
    const sent = await sendTest(c, id, key);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({
      endpointId: id,
      deliveryId: expect.stringMatching(/^\d+$/),
      eventId: expect.stringMatching(/^evt_test_[0-9a-f-]{36}$/),
      eventType: 'webhook.test',
    });
    expect(await sendTest(c, id, key)).toEqual({ ...sent, replayed: 'true' });
    expect(await deliveriesOf(c, id)).toEqual([
      expect.objectContaining({
        id: sent.body!.deliveryId,
        eventId: sent.body!.eventId,
        eventType: 'webhook.test',
        status: 'pending',
      }),
    ]);

    const other = (await create(c, { url: 'https://a.example/test-other' })).body!.id as string;
    const reused = await sendTest(c, other, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ type: '/problems/idempotency-key-reused' });
    expect(await deliveriesOf(c, other)).toEqual([]);
  });

  it('refuses a missing Idempotency-Key (400), queuing nothing', async () => {
    const id = (await create(c, { url: 'https://a.example/test-key' })).body!.id as string;
    const before = await snapshot();
    const refused = await sendTest(c, id, null);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      type: '/problems/invalid-idempotency-key',
      detail: expect.stringMatching(/^The Idempotency-Key header is missing/),
    });
    expect(await snapshot()).toBe(before);
  });
});

describe('resending a delivery', () => {
  let c: ApiCustomer;
  beforeAll(async () => {
    c = await apiCustomer('Gus Resend');
  });

  it('queues the same event again (202, a new delivery with its webhook-id); the same key adds no second', async () => {
    const id = (await create(c, { url: 'https://a.example/resend' })).body!.id as string;
    const from = new Date(Date.now() - 1_000).toISOString();
    await c.open('3.00', 'Resent');
    expect((await replay(c, id, from)).status).toBe(202);
    const original = (await deliveriesOf(c, id)).find((d) => d.eventType === 'account.opened')!;
    const key = randomUUID();
    const resent = await resend(c, id, original.id, key);
    expect(resent.status).toBe(202);
    expect(resent.body).toEqual({
      endpointId: id,
      deliveryId: expect.stringMatching(/^\d+$/),
      eventId: original.eventId,
      eventType: 'account.opened',
    });
    expect(BigInt(resent.body!.deliveryId as string)).toBeGreaterThan(BigInt(original.id));
    expect(await resend(c, id, original.id, key)).toEqual({ ...resent, replayed: 'true' });
    const copies = await db().webhookDelivery.findMany({ where: { endpointId: id, eventId: original.eventId } });
    expect(copies.map((d) => d.id.toString()).sort()).toEqual([original.id, resent.body!.deliveryId].sort());
    expect(copies[0]!.body).toBe(copies[1]!.body);
    expect((await deliveriesOf(c, id))[0]).toMatchObject({ id: resent.body!.deliveryId, status: 'pending' });

    const reused = await resend(c, id, resent.body!.deliveryId as string, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ type: '/problems/idempotency-key-reused' });
  });

  it('an unknown or malformed delivery, and another endpoint’s, are not found (404), changing nothing', async () => {
    const id = (await create(c, { url: 'https://a.example/resend-404' })).body!.id as string;
    const sibling = (await create(c, { url: 'https://a.example/resend-sibling' })).body!.id as string;
    const foreign = (await create(b, { url: 'https://b.example/resend-foreign' })).body!.id as string;
    const siblings = (await sendTest(c, sibling)).body!.deliveryId as string;
    const bobs = (await sendTest(b, foreign)).body!.deliveryId as string;
    const before = await snapshot();
    const notFound = (deliveryId: string) => ({
      status: 404,
      type: 'application/problem+json',
      replayed: null,
      body: {
        type: '/problems/webhook-delivery-not-found',
        title: 'Webhook delivery not found',
        status: 404,
        detail: `Your webhook endpoint ${id} has no delivery ${deliveryId}.`,
        endpointId: id,
        deliveryId,
      },
    });
    for (const deliveryId of [bobs, siblings, '999999999999', 'abc', '-1', '99999999999999999999'])
      expect(await resend(c, id, deliveryId)).toEqual(notFound(deliveryId));
    expect(await resend(c, randomUUID(), siblings)).toMatchObject({
      status: 404,
      body: { type: '/problems/webhook-endpoint-not-found' },
    });
    expect(await snapshot()).toBe(before);
  });
});
