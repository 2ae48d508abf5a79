// Integration-test setup: every public API route handler the tests import is wrapped so that each
// response it returns is validated against the OpenAPI document before the test sees it. A
// response that drifted from the document fails the test that received it.
import { vi } from 'vitest';
import { expectDocumented, publicRouteFiles } from './openapi-validator';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
type Handler = (request: Request, context?: unknown) => Promise<Response> | Response;

for (const { file, template } of publicRouteFiles()) {
  vi.doMock(file, async (importOriginal) => {
    const original = await importOriginal<Record<string, unknown>>();
    const wrapped: Record<string, unknown> = { ...original };
    for (const [name, value] of Object.entries(original)) {
      if (!METHODS.has(name) || typeof value !== 'function') continue;
      const handler = value as Handler;
      wrapped[name] = async (request: Request, context?: unknown) => {
        const response = await handler(request, context);
        // An event stream's body never ends: its status and headers are checked, its body is the test's.
        const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
        const copy = streaming ? response : response.clone();
        expectDocumented({
          method: request?.method ?? name,
          url: request?.url ?? `http://x${template}`,
          status: copy.status,
          contentType: copy.headers.get('content-type'),
          body: streaming ? '' : await copy.text(),
          headers: copy.headers,
        });
        return response;
      };
      Object.assign(wrapped[name] as object, { validatedAgainstOpenApi: true });
    }
    return wrapped;
  });
}
