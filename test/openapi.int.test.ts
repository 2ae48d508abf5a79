import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import { appDatabase } from '@/test/auth';
import * as docs from '@/app/api/docs/route';
import * as live from '@/app/api/health/live/route';
import * as openapi from '@/app/api/openapi.json/route';
import { PROBLEM_TYPES } from '@/lib/http/problem';
import { openApiDocument } from '@/lib/http/openapi';
import { apiCustomer } from '@/test/in-process-api';
import { coverage, publicRouteFiles, validateExchange } from '@/test/openapi-validator';
import { typedApi } from '@/test/typed-api';

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
      expect(Object.keys(doc.paths[template] ?? {}).sort(), template).toEqual(
        methods.map((m) => m.toLowerCase()).sort(),
      );
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
    expect(doc.components.schemas.TransferRequest).toMatchObject({
      required: ['from', 'toAccountNumber', 'amount'],
      additionalProperties: false,
    });
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!methods.post) continue;
      expect(methods.post.requestBody, path).toBeDefined();
      expect(
        methods.post.parameters?.map((p) => p.name),
        path,
      ).toContain('Idempotency-Key');
    }
  });

  it('lists every problem type the public routes answer with under its status', () => {
    const text = JSON.stringify(doc);
    // `forbidden` is answered by no public route (the customer API says `cross-site-request`).
    for (const type of Object.keys(PROBLEM_TYPES).filter((t) => t !== 'forbidden'))
      expect(text).toContain(`/problems/${type}`);
  });

  it('has an operationId, summary, description, defined tag and security on every operation', () => {
    const defined = new Set(doc.tags.map((t) => t.name));
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods as Record<string, Record<string, unknown>>)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op, where).toMatchObject({
          operationId: expect.any(String),
          summary: expect.any(String),
          description: expect.any(String),
        });
        expect(Array.isArray(op.security), where).toBe(true);
        for (const tag of op.tags as string[]) expect(defined.has(tag), `${where}: tag ${tag}`).toBe(true);
        expect(ids.has(op.operationId as string), `${where}: duplicate operationId`).toBe(false);
        ids.add(op.operationId as string);
      }
    }
  });

  it('is rendered at /api/docs by Swagger UI served from this instance: no external origin, no inline script', async () => {
    const response = await docs.GET();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    const sources = [...html.matchAll(/<(?:script|link)[^>]*(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual([
      '/api/docs/assets/swagger-ui.css',
      '/api/docs/assets/swagger-ui-bundle.js',
      '/api/docs/assets/start.js',
    ]);
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i); // no absolute URL at all
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/); // every script is a file
    const api = typedApi();
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'start.js'] as const) {
      const { response: asset } = await api.GET('/api/docs/assets/{file}', {
        params: { path: { file } },
        parseAs: 'text',
      });
      expect(asset.status, file).toBe(200);
    }
    const { data: start } = await api.GET('/api/docs/assets/{file}', {
      params: { path: { file: 'start.js' } },
      parseAs: 'text',
    });
    expect(start).toContain("url: '/api/openapi.json'");
    expect(start).toContain('validatorUrl: null'); // Swagger UI would otherwise call validator.swagger.io
    const { data: bundle } = await api.GET('/api/docs/assets/{file}', {
      params: { path: { file: 'swagger-ui-bundle.js' } },
      parseAs: 'text',
    });
    expect(bundle).toContain('SwaggerUIBundle');
  });
});

describe('response validation', () => {
  const good = {
    method: 'POST',
    url: 'http://h/api/accounts/0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61/withdrawals',
    status: 201,
    contentType: 'application/json',
  };
  const body = {
    accountId: '0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61',
    amount: '1.00',
    balance: '9.00',
    version: 3,
    commandId: 'k',
  };

  it('accepts a documented answer and rejects every kind of drift', () => {
    expect(validateExchange({ ...good, body: JSON.stringify(body) })).toEqual([]);
    expect(validateExchange({ ...good, body: JSON.stringify({ ...body, extra: 1 }) }).join()).toMatch(/additional/);
    expect(validateExchange({ ...good, body: JSON.stringify({ ...body, amount: 1 }) }).join()).toMatch(
      /amount must be string/,
    );
    expect(validateExchange({ ...good, status: 200, body: JSON.stringify(body) }).join()).toMatch(
      /status 200 is not documented/,
    );
    expect(validateExchange({ ...good, contentType: 'text/plain', body: 'x' }).join()).toMatch(
      /content type text\/plain/,
    );
    expect(validateExchange({ ...good, url: 'http://h/api/nowhere', body: '{}' }).join()).toMatch(
      /not in the OpenAPI document/,
    );
    const problem = { type: '/problems/insufficient-funds', title: 'Insufficient funds', status: 422, detail: 'no' };
    expect(
      validateExchange({
        ...good,
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify(problem),
      }),
    ).toEqual([]);
    expect(
      validateExchange({
        ...good,
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({ ...problem, type: '/problems/payload-too-large' }),
      }).join(),
    ).toMatch(/allowed values/);
  });

  it('rejects undocumented, missing and malformed protocol headers', () => {
    const tooMany = {
      type: '/problems/too-many-requests',
      title: 'Too many requests',
      status: 429,
      detail: 'slow down',
    };
    const limited = { ...good, status: 429, contentType: 'application/problem+json', body: JSON.stringify(tooMany) };
    expect(validateExchange({ ...limited, headers: new Headers({ 'retry-after': '3' }) })).toEqual([]);
    expect(validateExchange({ ...limited, headers: new Headers() }).join()).toMatch(
      /documented header retry-after is missing/,
    );
    expect(validateExchange({ ...limited, headers: new Headers({ 'retry-after': 'soon' }) }).join()).toMatch(
      /header retry-after: "soon"/,
    );
    const created = { ...good, body: JSON.stringify(body) };
    expect(validateExchange({ ...created, headers: new Headers({ 'idempotent-replayed': 'true' }) })).toEqual([]);
    expect(validateExchange({ ...created, headers: new Headers({ 'idempotent-replayed': 'yes' }) }).join()).toMatch(
      /idempotent-replayed/,
    );
    expect(validateExchange({ ...created, headers: new Headers({ 'retry-after': '1' }) }).join()).toMatch(
      /retry-after is sent but not documented/,
    );
  });

  it('is applied to the responses the integration tests receive from route handlers', async () => {
    expect((accounts.POST as unknown as { validatedAgainstOpenApi?: boolean }).validatedAgainstOpenApi).toBe(true);
    expect((live.GET as unknown as { validatedAgainstOpenApi?: boolean }).validatedAgainstOpenApi).toBe(true);
    expect((await live.GET()).status).toBe(200);
  });
});

describe('every documented operation, answered for real through the typed client (each response validated by the recorder)', () => {
  appDatabase();

  it('valid and invalid requests to every operation get documented answers', async () => {
    const me = await apiCustomer();
    const { api } = me;
    const key = (value: string = randomUUID()) => ({ 'Idempotency-Key': value });
    const status = async (call: Promise<{ response: Response }>) => (await call).response.status;

    const a = await me.open('100.00', 'Contract');
    const other = await me.open('0.00', 'Other');
    expect(await status(api.POST('/api/accounts', { params: { header: key() }, body: { name: '' } }))).toBe(422);
    expect(
      await status(
        api.POST('/api/accounts', {
          params: { header: key() },
          body: { name: 'x' },
          headers: { 'content-type': 'text/plain' },
        }),
      ),
    ).toBe(415);
    expect(await status(api.POST('/api/accounts', { params: { header: key('') }, body: { name: 'x' } }))).toBe(400);
    expect(
      await status(api.POST('/api/accounts', { params: { header: key() }, body: 'x'.repeat(20_000) as never })),
    ).toBe(413);

    expect(await status(api.GET('/api/accounts'))).toBe(200);
    expect(await status(typedApi().GET('/api/accounts'))).toBe(401);
    expect(await status(api.GET('/api/accounts/{accountId}', { params: { path: { accountId: a.id } } }))).toBe(200);
    expect(await status(api.GET('/api/accounts/{accountId}', { params: { path: { accountId: randomUUID() } } }))).toBe(
      404,
    );

    const path = { accountId: a.id };
    expect(
      await status(
        api.POST('/api/accounts/{accountId}/deposits', { params: { path, header: key() }, body: { amount: '5.00' } }),
      ),
    ).toBe(201);
    expect(
      await status(
        api.POST('/api/accounts/{accountId}/deposits', { params: { path, header: key() }, body: { amount: '5.001' } }),
      ),
    ).toBe(422);
    const once = key();
    expect(
      await status(
        api.POST('/api/accounts/{accountId}/withdrawals', { params: { path, header: once }, body: { amount: '1.00' } }),
      ),
    ).toBe(201);
    const replay = await api.POST('/api/accounts/{accountId}/withdrawals', {
      params: { path, header: once },
      body: { amount: '1.00' },
    });
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(
      await status(
        api.POST('/api/accounts/{accountId}/withdrawals', {
          params: { path, header: key() },
          body: { amount: '9999.00' },
        }),
      ),
    ).toBe(422);
    expect(
      await status(
        api.POST('/api/accounts/{accountId}/withdrawals', { params: { path, header: once }, body: { amount: '2.00' } }),
      ),
    ).toBe(422);

    const transfer = (body: { from: string; toAccountNumber: string; amount: string }) =>
      api.POST('/api/transfers', { params: { header: key() }, body });
    expect(await status(transfer({ from: a.id, toAccountNumber: other.accountNumber, amount: '2.00' }))).toBe(201);
    expect(await status(transfer({ from: a.id, toAccountNumber: a.accountNumber, amount: '2.00' }))).toBe(422);
    expect(await status(transfer({ from: randomUUID(), toAccountNumber: other.accountNumber, amount: '2.00' }))).toBe(
      404,
    );

    const today = new Date().toISOString().slice(0, 10);
    const order = (body: { toAccountNumber: string; amount: string; every: 'week'; firstPaymentOn: string }) =>
      api.POST('/api/accounts/{accountId}/standing-orders', { params: { path, header: key() }, body });
    const created = await order({
      toAccountNumber: other.accountNumber,
      amount: '1.00',
      every: 'week',
      firstPaymentOn: today,
    });
    expect(created.response.status).toBe(201);
    expect(
      await status(
        order({ toAccountNumber: other.accountNumber, amount: '1.00', every: 'week', firstPaymentOn: '2027-02-30' }),
      ),
    ).toBe(422);
    expect(await status(api.GET('/api/accounts/{accountId}/standing-orders', { params: { path } }))).toBe(200);
    expect(
      await status(
        api.GET('/api/accounts/{accountId}/standing-orders', { params: { path: { accountId: randomUUID() } } }),
      ),
    ).toBe(404);
    const standingOrderId = created.data!.id;
    expect(
      await status(api.DELETE('/api/standing-orders/{standingOrderId}', { params: { path: { standingOrderId } } })),
    ).toBe(200);
    expect(
      await status(
        api.DELETE('/api/standing-orders/{standingOrderId}', { params: { path: { standingOrderId: randomUUID() } } }),
      ),
    ).toBe(404);

    expect(await status(api.GET('/api/accounts/{accountId}/events', { params: { path, query: { limit: 2 } } }))).toBe(
      200,
    );
    expect(await status(api.GET('/api/accounts/{accountId}/events', { params: { path, query: { limit: 0 } } }))).toBe(
      400,
    );
    expect(
      await status(api.GET('/api/accounts/{accountId}/events', { params: { path: { accountId: randomUUID() } } })),
    ).toBe(404);

    const stream = await api.GET('/api/accounts/{accountId}/events/stream', { params: { path }, parseAs: 'stream' });
    expect(stream.response.status).toBe(200);
    await stream.response.body?.cancel();
    const foreign = { accountId: randomUUID() };
    expect(
      await status(
        api.GET('/api/accounts/{accountId}/events/stream', { params: { path: foreign }, parseAs: 'stream' }),
      ),
    ).toBe(404);

    expect(await status(api.GET('/api/health/live'))).toBe(200);
    expect(await status(api.GET('/api/health/ready'))).toBe(200);
    expect(await status(api.GET('/api/openapi.json'))).toBe(200);
    expect(await status(api.GET('/api/docs', { parseAs: 'text' }))).toBe(200);
    const file = 'nope.js' as 'start.js'; // not one of the documented files: 404
    expect(await status(api.GET('/api/docs/assets/{file}', { params: { path: { file } } }))).toBe(404);
    expect(
      await status(api.GET('/api/docs/assets/{file}', { params: { path: { file: 'start.js' } }, parseAs: 'text' })),
    ).toBe(200);

    // Webhook endpoints: each operation answered, and a client error where one is documented.
    const hooks = '/api/webhook-endpoints';
    const hook = await api.POST(hooks, { params: { header: key() }, body: { url: 'https://books.example/hook' } });
    expect(hook.response.status).toBe(201);
    expect(await status(api.POST(hooks, { params: { header: key() }, body: { url: 'nope' } }))).toBe(422);
    expect(await status(api.GET(hooks))).toBe(200);
    expect(await status(typedApi().GET(hooks))).toBe(401);
    const endpointId = hook.data!.id;
    const unknown = { endpointId: randomUUID() };
    expect(await status(api.GET(`${hooks}/{endpointId}/deliveries`, { params: { path: { endpointId } } }))).toBe(200);
    expect(await status(api.GET(`${hooks}/{endpointId}/deliveries`, { params: { path: unknown } }))).toBe(404);
    const from = '2026-01-01T00:00:00Z';
    const replayTo = (p: { endpointId: string }) =>
      api.POST(`${hooks}/{endpointId}/replay`, { params: { path: p, header: key() }, body: { from } });
    expect(await status(replayTo({ endpointId }))).toBe(202);
    expect(await status(replayTo(unknown))).toBe(404);
    const rotateAt = (p: { endpointId: string }) =>
      api.POST(`${hooks}/{endpointId}/rotate-secret`, { params: { path: p, header: key() } });
    expect(await status(rotateAt({ endpointId }))).toBe(200);
    expect(await status(rotateAt(unknown))).toBe(404);
    expect(await status(api.GET(`${hooks}/{endpointId}`, { params: { path: { endpointId } } }))).toBe(200);
    expect(await status(api.GET(`${hooks}/{endpointId}`, { params: { path: unknown } }))).toBe(404);
    const enable = (p: { endpointId: string }, body: { enabled: boolean }) =>
      api.PATCH(`${hooks}/{endpointId}`, { params: { path: p }, body });
    expect(await status(enable({ endpointId }, { enabled: false }))).toBe(200);
    expect(await status(enable({ endpointId }, { enabled: 'no' as never }))).toBe(422);
    expect(await status(enable(unknown, { enabled: true }))).toBe(404);
    const testAt = (p: { endpointId: string }) =>
      api.POST(`${hooks}/{endpointId}/test`, { params: { path: p, header: key() } });
    const test = await testAt({ endpointId });
    expect(test.response.status).toBe(202);
    expect(await status(testAt(unknown))).toBe(404);
    const resendOf = (deliveryId: string) =>
      api.POST(`${hooks}/{endpointId}/deliveries/{deliveryId}/resend`, {
        params: { path: { endpointId, deliveryId }, header: key() },
      });
    expect(await status(resendOf(test.data!.deliveryId))).toBe(202);
    expect(await status(resendOf('999999999999'))).toBe(404);
    expect(await status(api.DELETE(`${hooks}/{endpointId}`, { params: { path: { endpointId } } }))).toBe(204);
    expect(await status(api.DELETE(`${hooks}/{endpointId}`, { params: { path: { endpointId } } }))).toBe(404);

    const token = 'metrics-token-for-openapi-test';
    const saved = process.env.METRICS_TOKEN;
    try {
      delete process.env.METRICS_TOKEN;
      expect(await status(api.GET('/api/metrics', { parseAs: 'text' }))).toBe(404);
      process.env.METRICS_TOKEN = token;
      expect(await status(api.GET('/api/metrics', { parseAs: 'text' }))).toBe(401);
      expect(
        await status(api.GET('/api/metrics', { headers: { authorization: `Bearer ${token}` }, parseAs: 'text' })),
      ).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.METRICS_TOKEN;
      else process.env.METRICS_TOKEN = saved;
    }
  });

  it('covered every operation with a success and, where it documents one, a client error', () => {
    const missing = coverage().filter(
      ({ statuses, documented }) =>
        !statuses.some((s) => s < 300) ||
        (documented.some((s) => s >= 400 && s < 500) && !statuses.some((s) => s >= 400 && s < 500)),
    );
    expect(coverage().length).toBe(Object.values(doc.paths).flatMap((m) => Object.keys(m)).length);
    expect(missing).toEqual([]);
  });
});
