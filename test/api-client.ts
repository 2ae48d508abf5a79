// The client side of the cluster tests talks to the customer API through these helpers only, so
// authentication (an API key as `Authorization: Bearer …`) is added in one place. Every answer is
// checked against the OpenAPI document (test/openapi-validator.ts).
import { checkAnswer } from './openapi-validator';

/** Headers for a customer API request; with a key, a command (POST with Idempotency-Key). */
export function apiHeaders(idempotencyKey?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
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
