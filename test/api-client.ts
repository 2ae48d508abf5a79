// The client side of the cluster tests talks to the customer API through these helpers only, so
// authentication (an API key as `Authorization: Bearer …`) is added in one place. Every answer is
// checked against the OpenAPI document (test/openapi-validator.ts).
import { checkAnswer } from './openapi-validator';

let apiKey: string | null = null;

/** Every later request of this process's clients carries `Authorization: Bearer <key>` (null: none). */
export function setClientApiKey(key: string | null): void {
  apiKey = key;
}

/**
 * Signs a new customer up on a running instance (better-auth over HTTP, as a browser would) and
 * makes an API key for them. `baseUrl`'s origin must be trusted (the cluster harness trusts its
 * instances' 127.0.0.1 origins).
 */
export async function createCustomerApiKey(baseUrl: string, label = 'cluster-test'): Promise<string> {
  const origin = new URL(baseUrl).origin;
  const email = `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const signUp = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ name: 'Cluster Test', email, password: 'correct horse battery staple' }),
  });
  if (signUp.status !== 200) throw new Error(`sign-up failed: HTTP ${signUp.status} ${await signUp.text()}`);
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const created = await fetch(`${baseUrl}/api/auth/api-key/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, cookie },
    body: JSON.stringify({ name: label }),
  });
  if (created.status !== 200) throw new Error(`API key creation failed: HTTP ${created.status} ${await created.text()}`);
  return ((await created.json()) as { key: string }).key;
}

/** Headers for a customer API request; with a key, a command (POST with Idempotency-Key). */
export function apiHeaders(idempotencyKey?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    ...(idempotencyKey === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': idempotencyKey }),
    ...extra,
  };
}

export type ApiAnswer = { status: number; body: string; headers: Headers } | { status: 0; error: string };

/** One POST of a command; network errors come back as status 0 (never thrown). */
export async function postCommand(
  url: string,
  key: string,
  body: unknown,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: apiHeaders(key, options.headers),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    checkAnswer('POST', url, response, text);
    return { status: response.status, body: text, headers: response.headers };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, error: cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)) };
  }
}

/** A GET of the customer API. */
export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: apiHeaders() });
  const text = await response.text();
  checkAnswer('GET', url, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}
