import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import * as account from '@/app/api/accounts/[accountId]/route';
import * as deposits from '@/app/api/accounts/[accountId]/deposits/route';
import * as withdrawals from '@/app/api/accounts/[accountId]/withdrawals/route';
import * as events from '@/app/api/accounts/[accountId]/events/route';
import * as transfers from '@/app/api/transfers/route';
import * as ready from '@/app/api/health/ready/route';
import { auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { signUp, testAuthEnv } from '@/test/auth';
import { freshDatabase } from '@/test/db';
import * as docs from '@/app/api/docs/route';
import * as live from '@/app/api/health/live/route';
import * as openapi from '@/app/api/openapi.json/route';
import { PROBLEM_TYPES } from '@/lib/http/problem';
import { openApiDocument } from '@/lib/http/openapi';
import { publicRouteFiles, validateExchange } from '@/test/openapi-validator';

// The document describes every public route, its request bodies come from the routes' own zod
// schemas, and the validator that checks every response the suites receive really rejects drift.

type Doc = Omit<ReturnType<typeof openApiDocument>, 'paths'> & {
  paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>>;
};
const doc = openApiDocument() as unknown as Doc;

describe('the OpenAPI document', () => {
  it('is served at /api/openapi.json as OpenAPI 3.1 with API-key authentication', async () => {
    const response = await openapi.GET();
    expect(response.status).toBe(200);
    const served = (await response.json()) as Doc;
    expect(served.openapi).toBe('3.1.0');
    expect(served.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(served).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('documents every public route handler and each method it exports', async () => {
    const files = publicRouteFiles();
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const { file, template } of files) {
      const route = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
      const methods = Object.keys(route).filter((k) => /^(GET|POST|PUT|PATCH|DELETE)$/.test(k));
      expect(Object.keys(doc.paths[template] ?? {}).sort(), template).toEqual(methods.map((m) => m.toLowerCase()).sort());
    }
  });

  it("takes request bodies from the routes' zod schemas, and every POST requires an Idempotency-Key", () => {
    expect(doc.components.schemas.MoneyMovementRequest).toEqual({
      type: 'object',
      properties: { amount: expect.objectContaining({ type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$' }) },
      required: ['amount'],
      additionalProperties: false,
    });
    expect(doc.components.schemas.OpenAccountRequest).toMatchObject({
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 80 } },
    });
    expect(doc.components.schemas.TransferRequest).toMatchObject({ required: ['from', 'toAccountNumber', 'amount'], additionalProperties: false });
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!methods.post) continue;
      expect(methods.post.requestBody, path).toBeDefined();
      expect(
        methods.post.parameters?.map((p) => p.name),
        path,
      ).toContain('Idempotency-Key');
    }
  });

  it('lists every problem type under its status', () => {
    const text = JSON.stringify(doc);
    for (const type of Object.keys(PROBLEM_TYPES)) expect(text).toContain(`/problems/${type}`);
  });

  it('has a readable reference page, server-rendered, without scripts', async () => {
    const response = await docs.GET();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<h1>Idem customer API</h1>');
    expect(html).toContain('/api/accounts/{accountId}/withdrawals');
    expect(html).toContain('Idempotency-Key');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/);
  });
});

describe('response validation', () => {
  const good = { method: 'POST', url: 'http://h/api/accounts/0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61/withdrawals', status: 201, contentType: 'application/json' };
  const body = { accountId: '0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61', amount: '1.00', balance: '9.00', version: 3, commandId: 'k' };

  it('accepts a documented answer and rejects every kind of drift', () => {
    expect(validateExchange({ ...good, body: JSON.stringify(body) })).toEqual([]);
    expect(validateExchange({ ...good, body: JSON.stringify({ ...body, extra: 1 }) }).join()).toMatch(/additional/);
    expect(validateExchange({ ...good, body: JSON.stringify({ ...body, amount: 1 }) }).join()).toMatch(/amount must be string/);
    expect(validateExchange({ ...good, status: 200, body: JSON.stringify(body) }).join()).toMatch(/status 200 is not documented/);
    expect(validateExchange({ ...good, contentType: 'text/plain', body: 'x' }).join()).toMatch(/content type text\/plain/);
    expect(validateExchange({ ...good, url: 'http://h/api/nowhere', body: '{}' }).join()).toMatch(/not in the OpenAPI document/);
    const problem = { type: '/problems/insufficient-funds', title: 'Insufficient funds', status: 422, detail: 'no' };
    expect(validateExchange({ ...good, status: 422, contentType: 'application/problem+json', body: JSON.stringify(problem) })).toEqual([]);
    expect(
      validateExchange({
        ...good,
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({ ...problem, type: '/problems/payload-too-large' }),
      }).join(),
    ).toMatch(/allowed values/);
  });

  it('is applied to the responses the integration tests receive from route handlers', async () => {
    expect((accounts.POST as unknown as { validatedAgainstOpenApi?: boolean }).validatedAgainstOpenApi).toBe(true);
    expect((live.GET as unknown as { validatedAgainstOpenApi?: boolean }).validatedAgainstOpenApi).toBe(true);
    expect((await live.GET()).status).toBe(200);
  });
});

describe('every documented operation, answered for real (each response validated by the recorder)', () => {
  let drop: () => Promise<void>;
  let credentials: Record<string, string>;
  beforeAll(async () => {
    const fresh = await freshDatabase();
    Object.assign(process.env, testAuthEnv, { DATABASE_URL: fresh.url });
    drop = fresh.drop;
    const customer = await signUp(auth());
    const { key } = await auth().api.createApiKey({ body: { name: 'openapi.int.test' }, headers: new Headers({ cookie: customer.cookie }) });
    credentials = { authorization: `Bearer ${key}` };
  });
  afterAll(async () => {
    await db().$disconnect();
    await drop();
  });

  const base = 'http://127.0.0.1:3000';
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: '127.0.0.1:3000', 'idempotency-key': randomUUID(), ...credentials, ...headers },
      body: JSON.stringify(body),
    });
  const get = (path: string) => new Request(`${base}${path}`, { headers: credentials });
  const params = (accountId: string) => ({ params: Promise.resolve({ accountId }) });

  it('success and error answers of every customer route match the document', async () => {
    const opened = await accounts.POST(post('/api/accounts', { name: 'Contract', openingDeposit: '100.00' }));
    expect(opened.status).toBe(201);
    const a = (await opened.json()) as { id: string; accountNumber: string };
    const other = (await (await accounts.POST(post('/api/accounts', { name: 'Other' }))).json()) as { id: string; accountNumber: string };
    expect((await accounts.GET(get('/api/accounts'))).status).toBe(200);
    expect((await account.GET(get(`/api/accounts/${a.id}`), params(a.id))).status).toBe(200);
    expect((await deposits.POST(post(`/api/accounts/${a.id}/deposits`, { amount: '5.00' }), params(a.id))).status).toBe(201);
    const key = randomUUID();
    expect((await withdrawals.POST(post(`/api/accounts/${a.id}/withdrawals`, { amount: '1.00' }, { 'idempotency-key': key }), params(a.id))).status).toBe(201);
    const replay = await withdrawals.POST(post(`/api/accounts/${a.id}/withdrawals`, { amount: '1.00' }, { 'idempotency-key': key }), params(a.id));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await withdrawals.POST(post(`/api/accounts/${a.id}/withdrawals`, { amount: '9999.00' }), params(a.id))).status).toBe(422);
    expect((await transfers.POST(post('/api/transfers', { from: a.id, toAccountNumber: other.accountNumber, amount: '2.00' }))).status).toBe(201);
    expect((await events.GET(get(`/api/accounts/${a.id}/events`), params(a.id))).status).toBe(200);
    expect((await account.GET(get(`/api/accounts/${randomUUID()}`), params(randomUUID()))).status).toBe(404);
    expect((await accounts.GET(new Request(`${base}/api/accounts`))).status).toBe(401);
    expect((await ready.GET()).status).toBe(200);
  });
});
