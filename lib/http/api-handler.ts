import 'server-only';
import type { z } from 'zod';
import { checkSameOrigin, idempotencyKey, readJsonBody } from '@/lib/http/api-request';
import { validationProblem } from '@/lib/http/account-api';
import { driverCause } from '@/lib/event-store/pg-errors';
import { problem, problemResponse } from '@/lib/http/problem';
import { isDraining } from '@/lib/observability/lifecycle';
import { errorFields, log } from '@/lib/observability/log';

// Wraps API route handlers: the checks every POST passes, and the one catch for the unexpected.

/** Errors that mean "the database is (momentarily) unreachable": retrying the same key is safe. */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  const { sqlState, cause } = driverCause(error);
  const code = sqlState ?? (typeof e?.code === 'string' ? e.code : '');
  if (/^(08|57P|53)/.test(code)) return true; // connection exception, operator intervention, insufficient resources
  if (['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  if (cause?.kind && /Connection|NotReachable|Closed|Timeout|TooManyConnections/i.test(cause.kind)) return true;
  return /Connection terminated|connection (is )?closed|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e?.message ?? '');
}

export async function guarded(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (isUnavailable(error)) {
      log().warn(errorFields(error), 'database unavailable');
      return problemResponse(problem('service-unavailable', 'The database could not be reached. Retry with the same Idempotency-Key: the request is applied at most once.'), {
        'retry-after': '1',
      });
    }
    log().error(errorFields(error, true), 'unexpected error in API route');
    return problemResponse(problem('internal-error', 'An unexpected error occurred. Retrying with the same Idempotency-Key is safe.'));
  }
}

/** Cross-site check, Idempotency-Key, JSON content type, size limit, then the body schema. */
export async function commandRequest<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<{ ok: true; key: string; body: z.output<S> } | { ok: false; response: Response }> {
  // A draining instance takes no new work; the client (or the load balancer) retries elsewhere.
  if (isDraining()) {
    const detail = 'This instance is shutting down. Retry with the same Idempotency-Key: the request is applied at most once.';
    return { ok: false, response: problemResponse(problem('service-unavailable', detail), { 'retry-after': '1' }) };
  }
  const origin = checkSameOrigin(request);
  if (!origin.ok) return { ok: false, response: problemResponse(origin.problem) };
  const key = idempotencyKey(request);
  if (!key.ok) return { ok: false, response: problemResponse(key.problem) };
  const json = await readJsonBody(request);
  if (!json.ok) return { ok: false, response: problemResponse(json.problem) };
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) return { ok: false, response: problemResponse(validationProblem(parsed.error)) };
  return { ok: true, key: key.value, body: parsed.data };
}
