import 'server-only';
import { allowedOrigins, crossSiteReason } from '@/lib/http/origins';
import { problem, type Problem } from '@/lib/http/problem';

// Checks every API POST passes before anything is decided. Each returns a Problem or the value.

const MAX_BODY_BYTES = 16 * 1024;

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: Problem };
const fail = (p: Problem): Checked<never> => ({ ok: false, problem: p });

/**
 * CSRF defence for state-changing requests: the Origin must be one of the configured origins, compared
 * in full (scheme, host, port; lib/http/origins.ts), never with the Host or X-Forwarded-Host the
 * request carries. Browsers send Origin on every POST, so a session-cookie request without one is
 * refused; an API-key request needs none (a browser never attaches a Bearer key by itself).
 */
export function checkSameOrigin(request: Request, via: 'session' | 'api-key'): Checked<null> {
  const reason = crossSiteReason(
    {
      origin: request.headers.get('origin'),
      secFetchSite: request.headers.get('sec-fetch-site'),
      ambientCredentials: via === 'session',
    },
    allowedOrigins(),
  );
  return reason === null ? { ok: true, value: null } : fail(problem('cross-site-request', reason));
}

/**
 * The Idempotency-Key header (IETF httpapi draft): a Structured Field string, e.g.
 * `Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`. A bare token is accepted too.
 */
export function idempotencyKey(request: Request): Checked<string> {
  const raw = request.headers.get('idempotency-key');
  const hint =
    'Send an Idempotency-Key header of 1–255 visible ASCII characters, e.g. Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324".';
  if (raw === null) return fail(problem('invalid-idempotency-key', `The Idempotency-Key header is missing. ${hint}`));
  let key = raw.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (key.length < 1 || key.length > 255 || !/^[\x21-\x7E]+$/.test(key)) {
    return fail(problem('invalid-idempotency-key', `The Idempotency-Key header is malformed. ${hint}`));
  }
  return { ok: true, value: key };
}

/** JSON only, at most 16 KiB (counted while reading, whatever Content-Length claims). */
/**
 * Past the limit, the rest of a body is read and dropped (up to 1 MiB more, for up to 2 s) before
 * the 413 is sent: closing the connection while the client is still sending makes its next write
 * fail (EPIPE, a reset) and most clients then report that instead of the answer (RFC 9112 §9.6,
 * "lingering close"). A body larger still, or slower, is cut off as before.
 */
const DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 2_000;

async function drainRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  let left = DRAIN_BYTES;
  while (left > 0 && Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), deadline - Date.now())));
    const next = await Promise.race([reader.read(), late]).finally(() => clearTimeout(timer));
    if (next === null) break;
    if (next.done) return;
    left -= next.value.byteLength;
  }
  await reader.cancel().catch(() => {});
}

/** One decoder for every body: a decode without `stream` keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export async function readJsonBody(request: Request): Promise<Checked<unknown>> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return fail(
      problem('unsupported-media-type', `Content-Type must be application/json${type ? `, not ${type}` : ''}.`),
    );
  }
  const tooLarge = () =>
    fail(
      problem('payload-too-large', `The request body must be at most ${MAX_BODY_BYTES} bytes.`, {
        maxBytes: MAX_BODY_BYTES,
      }),
    );
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) return tooLarge();

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await drainRest(reader);
        return tooLarge();
      }
      chunks.push(value);
    }
  }
  let text: string;
  try {
    text = UTF8.decode(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  } catch {
    return fail(problem('invalid-request', 'The request body is not valid UTF-8.'));
  }
  if (text.trim() === '') return fail(problem('invalid-request', 'The request body is empty; send a JSON object.'));
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return fail(
      problem(
        'invalid-request',
        `The request body is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}.`,
      ),
    );
  }
}
