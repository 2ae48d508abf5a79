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
    const before = await snapshot();
    const answers = [
      await remove(b, id),
      await deliveries(b, id),
      await replay(b, id, '2020-01-01T00:00:00Z'),
      await rotate(b, id),
      await remove(b, randomUUID()),
      await remove(b, 'not-a-uuid'),
    ];
    for (const refused of answers) {
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ type: '/problems/webhook-endpoint-not-found' });
    }
    expect(await snapshot()).toBe(before);
  });

  it('cannot be deleted from another site with the owner’s session cookie (403), nor by the owner that way', async () => {
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
