// The HTTP side of the API fuzz: an action's headers and body (with its mutation applied), one
// request sent and read in full, and what the mutation or the caller's credentials make the API
// answer before the body's fields are looked at.
import { reportAnswer } from '../api-client';
import type { Auth, Mutation } from './actions';

export type FuzzCustomer = { id: string; authorizations: string[] };
export type Credentials = { customers: FuzzCustomer[]; revoked: string; cookie: string };

export type Answer = { status: number; body: string; headers: Headers };

export function authorizationOf(auth: Auth, credentials: Credentials): string | null {
  switch (auth.kind) {
    case 'key':
      return credentials.customers[auth.customer]!.authorizations[auth.key]!;
    case 'revoked':
      return credentials.revoked;
    case 'unknown':
      return `Bearer idem_${'0'.repeat(20)}${Math.random().toString(36).slice(2)}`;
    case 'malformed':
      return auth.header;
    case 'none':
      return null;
  }
}

/** The status and problem type a mutation is refused with (the checks run in this order: lib/http/api-handler.ts). */
export const MUTATION_ANSWER: Record<Exclude<Mutation, 'none'>, { status: number; problem: string }> = {
  'cross-site': { status: 403, problem: 'cross-site-request' },
  'origin-null': { status: 403, problem: 'cross-site-request' },
  'foreign-origin': { status: 403, problem: 'cross-site-request' },
  'no-idempotency-key': { status: 400, problem: 'invalid-idempotency-key' },
  'long-idempotency-key': { status: 400, problem: 'invalid-idempotency-key' },
  'bad-idempotency-key': { status: 400, problem: 'invalid-idempotency-key' },
  'text-plain': { status: 415, problem: 'unsupported-media-type' },
  'no-content-type': { status: 415, problem: 'unsupported-media-type' },
  'huge-body': { status: 413, problem: 'payload-too-large' },
  'not-json': { status: 400, problem: 'invalid-request' },
  'empty-body': { status: 400, problem: 'invalid-request' },
  'bad-utf8': { status: 400, problem: 'invalid-request' },
  'non-object': { status: 422, problem: 'validation-failed' },
  'extra-field': { status: 422, problem: 'validation-failed' },
  'proto-field': { status: 422, problem: 'validation-failed' },
  'huge-chunked': { status: 413, problem: 'payload-too-large' },
};

/** A body of `bytes` bytes sent in chunks without a Content-Length: the server must count while reading. */
export function chunked(prefix: string, bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
  let sent = 0;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(prefix));
    },
    pull(controller) {
      if (sent >= bytes) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

/** A command's headers and body with the mutation applied (`key` is the header value as sent when valid). */
export function commandRequest(
  body: Record<string, unknown>,
  key: string,
  mutation: Mutation,
  authorization: string | null,
  contentType = 'application/json',
) {
  const headers: Record<string, string> = { 'content-type': contentType, 'idempotency-key': key };
  if (authorization !== null) headers.authorization = authorization;
  let payload: string | Uint8Array | ReadableStream<Uint8Array> = JSON.stringify(body);
  switch (mutation) {
    case 'none':
      break;
    case 'no-idempotency-key':
      delete headers['idempotency-key'];
      break;
    case 'long-idempotency-key':
      headers['idempotency-key'] = 'k'.repeat(256 + (key.length % 7) * 100);
      break;
    case 'bad-idempotency-key':
      headers['idempotency-key'] = ['', '""', 'two words', 'tab\tkey', 'caf\u00e9'][key.length % 5]!;
      break;
    case 'text-plain':
      headers['content-type'] = 'text/plain';
      break;
    case 'no-content-type':
      delete headers['content-type'];
      payload = new TextEncoder().encode(payload); // fetch adds text/plain to a string body
      break;
    case 'huge-body':
      payload = JSON.stringify({ ...body, padding: 'x'.repeat(16 * 1024 + (key.length % 5) * 40_000) });
      break;
    case 'not-json':
      payload = `${payload.slice(0, -1)},`;
      break;
    case 'empty-body':
      payload = ' ';
      break;
    case 'bad-utf8':
      payload = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      break;
    case 'non-object':
      payload = JSON.stringify([body]);
      break;
    case 'extra-field':
      payload = JSON.stringify({ ...body, currency: 'USD' });
      break;
    case 'proto-field':
      // Own keys named like Object.prototype's: refused as unknown fields, never merged into anything.
      payload = `${payload.slice(0, -1)}${payload.length > 2 ? ',' : ''}"__proto__":{"amount":"1.00"},"constructor":{"prototype":{}}}`;
      break;
    case 'huge-chunked':
      payload = chunked(`${payload.slice(0, -1)},"padding":"`, 200 * 1024 + (key.length % 5) * 100 * 1024);
      break;
    case 'cross-site':
      headers['sec-fetch-site'] = 'cross-site';
      break;
    case 'origin-null':
      headers.origin = 'null';
      break;
    case 'foreign-origin':
      headers.origin = 'https://evil.example';
      break;
  }
  return { headers, payload };
}

/** The customer API's documented operations: their answers go through the OpenAPI check too. */
const DOCUMENTED = /^\/api\/(accounts(\/[^/]+(\/(deposits|withdrawals|events))?)?|transfers)$/;

export async function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: string | Uint8Array | ReadableStream<Uint8Array>,
): Promise<Answer> {
  const url = base + path;
  const streamed = payload instanceof ReadableStream ? { duplex: 'half' } : {};
  const init = {
    method,
    headers,
    body: payload as BodyInit | undefined,
    redirect: 'manual' as const,
    signal: AbortSignal.timeout(60_000),
    ...streamed,
  };
  const response = await fetch(url, init);
  const body = await response.text();
  const pathname = new URL(url).pathname;
  // HEAD and OPTIONS are the framework's (not documented operations); a 405 names an undocumented method.
  if (DOCUMENTED.test(pathname) && (method === 'GET' || method === 'POST') && response.status !== 405)
    reportAnswer(method, url, response, body);
  return { status: response.status, body, headers: response.headers };
}

export const problemType = (answer: Answer): string | null => {
  try {
    const type = (JSON.parse(answer.body) as { type?: unknown }).type;
    return typeof type === 'string' ? type.replace(/^\/problems\//, '') : null;
  } catch {
    return null;
  }
};
