// Validates API answers against the OpenAPI document (lib/http/openapi.ts) with ajv (JSON Schema
// 2020-12, as OpenAPI 3.1 uses): the documented status for the method and path, the documented
// media type, and the body against its schema. Used wherever the test suites receive API
// responses: the integration tests' route calls (test/openapi-recorder.setup.ts) and the cluster
// tests' HTTP clients (test/api-client.ts, test/storm.ts).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../lib/http/openapi';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
type Doc = { paths: Record<string, Record<string, Operation>> };

export type Exchange = { method: string; url: string; status: number; contentType: string | null; body: string };

let cached: { doc: Doc; ajv: Ajv2020; compiled: Map<string, ValidateFunction> } | null = null;
function validator() {
  if (cached) return cached;
  const doc = openApiDocument() as unknown as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc as object, 'openapi');
  return (cached = { doc, ajv, compiled: new Map() });
}

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const templateRegex = (template: string) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);

/** The documented path template a request path belongs to, or null. */
function operationPath(pathname: string): string | null {
  const { doc } = validator();
  return Object.keys(doc.paths).find((t) => templateRegex(t).test(pathname)) ?? null;
}

/** What is wrong with this answer, by the document; empty when it matches. */
export function validateExchange(exchange: Exchange): string[] {
  const { doc, ajv, compiled } = validator();
  const method = exchange.method.toLowerCase();
  const pathname = new URL(exchange.url, 'http://x').pathname;
  const where = `${exchange.method.toUpperCase()} ${pathname} → ${exchange.status}`;
  const template = operationPath(pathname);
  if (!template) return [`${where}: the path is not in the OpenAPI document`];
  const operation = doc.paths[template]![method];
  if (!operation) return [`${where}: ${method.toUpperCase()} ${template} is not in the OpenAPI document`];
  const response = operation.responses[String(exchange.status)] ?? operation.responses.default;
  if (!response) return [`${where}: status ${exchange.status} is not documented for ${method.toUpperCase()} ${template}`];
  const mediaType = (exchange.contentType ?? '').split(';')[0]!.trim();
  const documented = Object.keys(response.content ?? {});
  if (documented.length === 0) return exchange.body === '' ? [] : [`${where}: a body was sent where none is documented`];
  if (!documented.includes(mediaType)) return [`${where}: content type ${mediaType || '(none)'} is not one of ${documented.join(', ')}`];
  if (!mediaType.endsWith('json')) return [];
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return [`${where}: the body is not JSON`];
  }
  const ref = `openapi#/${pointer('paths', template, method, 'responses', String(exchange.status) in operation.responses ? String(exchange.status) : 'default', 'content', mediaType, 'schema')}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${where}: body${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''} — got ${exchange.body.slice(0, 300)}`,
  );
}

/** Throws when the answer does not match the document (the test that received it fails). */
export function expectDocumented(exchange: Exchange): void {
  const errors = validateExchange(exchange);
  if (errors.length > 0) throw new Error(`API response does not match the OpenAPI document (lib/http/openapi.ts):\n${errors.join('\n')}`);
}

const violations: string[] = [];

/**
 * For HTTP clients (cluster tests): checks an answer the app produced (it carries the app's
 * X-Request-Id; a load balancer's own error page does not) and keeps what is wrong, for
 * test/openapi-cluster.setup.ts to fail the test with. Never throws: clients keep their logic.
 */
export function checkAnswer(method: string, url: string, response: { status: number; headers: Headers }, body: string): void {
  if (!response.headers.get('x-request-id')) return;
  violations.push(...validateExchange({ method, url, status: response.status, contentType: response.headers.get('content-type'), body }));
}

/** The violations seen since the last call. */
export function takeViolations(): string[] {
  return violations.splice(0);
}

/** Route handler files of the public API (app/api/**\/route.ts, minus the admin API and the catch-all) and their path templates. */
export function publicRouteFiles(): { file: string; template: string }[] {
  const out: { file: string; template: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === 'route.ts') {
        const rel = path.relative(path.join(ROOT, 'app'), path.dirname(full)).split(path.sep);
        if (rel[1] === 'admin' || rel.some((s) => s.startsWith('[...'))) continue;
        out.push({ file: full, template: `/${rel.map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/')}` });
      }
    }
  };
  walk(path.join(ROOT, 'app', 'api'));
  return out.sort((a, b) => a.template.localeCompare(b.template));
}
