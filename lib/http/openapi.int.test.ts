import { describe, expect, it } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import * as docs from '@/app/api/docs/route';
import * as live from '@/app/api/health/live/route';
import * as openapi from '@/app/api/openapi.json/route';
import { PROBLEM_TYPES } from '@/lib/http/problem';
import { openApiDocument } from '@/lib/http/openapi';
import { publicRouteFiles, validateExchange } from '@/test/openapi-validator';

// The document describes every public route, its request bodies come from the routes' own zod
// schemas, and the validator that checks every response the suites receive really rejects drift.

type Doc = ReturnType<typeof openApiDocument> & { paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>> };
const doc = openApiDocument() as Doc;

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
    expect(doc.components.schemas.OpenAccountRequest).toMatchObject({ required: ['owner'], properties: { owner: { type: 'string', minLength: 1, maxLength: 80 } } });
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!methods.post) continue;
      expect(methods.post.requestBody, path).toBeDefined();
      expect(methods.post.parameters?.map((p) => p.name), path).toContain('Idempotency-Key');
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
    expect(validateExchange({ ...good, status: 422, contentType: 'application/problem+json', body: JSON.stringify({ ...problem, type: '/problems/payload-too-large' }) }).join()).toMatch(/allowed values/);
  });

  it('is applied to the responses the integration tests receive from route handlers', async () => {
    expect((accounts.POST as unknown as { validatedAgainstOpenApi?: boolean }).validatedAgainstOpenApi).toBe(true);
    expect((live.GET as unknown as { validatedAgainstOpenApi?: boolean }).validatedAgainstOpenApi).toBe(true);
    expect((await live.GET()).status).toBe(200);
  });
});
