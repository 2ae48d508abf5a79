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

type Header = { required?: boolean; schema: object };
type Operation = {
  operationId: string;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, Header> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>> };

/** `headers`: the answer's headers; without them only status, media type and body are checked. */
export type Exchange = {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  body: string;
  headers?: Headers;
};

// Headers of the API's protocol: where one is sent, the document must say so (and the value match).
const PROTOCOL_HEADERS = ['retry-after', 'idempotent-replayed', 'www-authenticate'];

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
  const { doc } = validator();
  const method = exchange.method.toLowerCase();
  const pathname = new URL(exchange.url, 'http://x').pathname;
  const where = `${exchange.method.toUpperCase()} ${pathname} → ${exchange.status}`;
  const template = operationPath(pathname);
  if (!template) return [`${where}: the path is not in the OpenAPI document`];
  const operation = doc.paths[template]![method];
  if (!operation) return [`${where}: ${method.toUpperCase()} ${template} is not in the OpenAPI document`];
  const response = operation.responses[String(exchange.status)];
  if (!response)
    return [`${where}: status ${exchange.status} is not documented for ${method.toUpperCase()} ${template}`];
  record(operation.operationId, exchange.status);
  const headerErrors = exchange.headers ? checkHeaders(exchange.headers, response.headers ?? {}, where) : [];
  return [...headerErrors, ...checkBody(exchange, operation, template, method, where)];
}

function checkHeaders(headers: Headers, documented: Record<string, Header>, where: string): string[] {
  const { ajv } = validator();
  const errors: string[] = [];
  const byName = new Map(Object.entries(documented).map(([name, header]) => [name.toLowerCase(), header]));
  for (const [name, header] of byName) {
    const value = headers.get(name);
    if (value === null) {
      if (header.required) errors.push(`${where}: the documented header ${name} is missing`);
    } else if (!ajv.validate(header.schema, value))
      errors.push(`${where}: header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(ajv.errors)}`);
  }
  for (const name of PROTOCOL_HEADERS) {
    if (headers.has(name) && !byName.has(name))
      errors.push(`${where}: header ${name} is sent but not documented for this status`);
  }
  return errors;
}

function checkBody(
  exchange: Exchange,
  operation: Operation,
  template: string,
  method: string,
  where: string,
): string[] {
  const { ajv, compiled } = validator();
  const response = operation.responses[String(exchange.status)]!;
  const mediaType = (exchange.contentType ?? '').split(';')[0]!.trim();
  const documented = Object.keys(response.content ?? {});
  if (documented.length === 0)
    return exchange.body === '' ? [] : [`${where}: a body was sent where none is documented`];
  if (!documented.includes(mediaType))
    return [`${where}: content type ${mediaType || '(none)'} is not one of ${documented.join(', ')}`];
  if (!mediaType.endsWith('json')) return [];
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return [`${where}: the body is not JSON`];
  }
  const ref = `openapi#/${pointer('paths', template, method, 'responses', String(exchange.status), 'content', mediaType, 'schema')}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) =>
      `${where}: body${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''} — got ${exchange.body.slice(0, 300)}`,
  );
}

/** Throws when the answer does not match the document (the test that received it fails). */
export function expectDocumented(exchange: Exchange): void {
  const errors = validateExchange(exchange);
  if (errors.length > 0)
    throw new Error(`API response does not match the OpenAPI document (lib/http/openapi.ts):\n${errors.join('\n')}`);
}

// The documented statuses each operation answered with in this test file (its coverage).
const seen = new Map<string, Set<number>>();
function record(operationId: string, status: number) {
  seen.set(operationId, (seen.get(operationId) ?? new Set()).add(status));
}

/** Every operationId of the document, with the documented statuses it answered with so far. */
export function coverage(): { operationId: string; statuses: number[]; documented: number[] }[] {
  const { doc } = validator();
  return Object.values(doc.paths)
    .flatMap((methods) => Object.values(methods))
    .map((op) => ({
      operationId: op.operationId,
      statuses: [...(seen.get(op.operationId) ?? [])].sort(),
      documented: Object.keys(op.responses).map(Number),
    }));
}

const violations: string[] = [];

/**
 * For HTTP clients (cluster tests): checks an answer the app produced (it carries the app's
 * X-Request-Id; a load balancer's own error page does not) and keeps what is wrong, for
 * test/openapi-cluster.setup.ts to fail the test with. Never throws: clients keep their logic.
 */
export function checkAnswer(
  method: string,
  url: string,
  response: { status: number; headers: Headers },
  body: string,
): void {
  if (!response.headers.get('x-request-id')) return;
  violations.push(
    ...validateExchange({
      method,
      url,
      status: response.status,
      contentType: response.headers.get('content-type'),
      body,
      headers: response.headers,
    }),
  );
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
