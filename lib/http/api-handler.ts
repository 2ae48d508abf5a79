import 'server-only';
import type { z } from 'zod';
import { checkSameOrigin, idempotencyKey, readJsonBody } from '@/lib/http/api-request';
import { validationProblem } from '@/lib/http/account-api';
import { isConnectionError } from '@/lib/db/connection-errors';
import { problem, problemResponse } from '@/lib/http/problem';

// Wraps API route handlers: the checks every POST passes, and the one catch for the unexpected.

export async function guarded(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (isConnectionError(error)) {
      console.warn(`[idem] database unavailable: ${error instanceof Error ? error.message.split('\n').at(-1) : String(error)}`);
      return problemResponse(problem('service-unavailable', 'The database could not be reached. Retry with the same Idempotency-Key: the request is applied at most once.'), {
        'retry-after': '1',
      });
    }
    console.error('[idem] unexpected error in API route', error);
    return problemResponse(problem('internal-error', 'An unexpected error occurred. Retrying with the same Idempotency-Key is safe.'));
  }
}

/** Cross-site check, Idempotency-Key, JSON content type, size limit, then the body schema. */
export async function commandRequest<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<{ ok: true; key: string; body: z.output<S> } | { ok: false; response: Response }> {
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
