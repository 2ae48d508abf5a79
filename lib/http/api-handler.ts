import 'server-only';
import type { z } from 'zod';
import { IdentityUnavailable, identifyRequest, type Customer } from '@/lib/auth/customer';
import { checkSameOrigin, idempotencyKey, readJsonBody } from '@/lib/http/api-request';
import { scopedCommandId } from '@/lib/accounts/ids';
import { validationProblem } from '@/lib/http/account-api';
import { consumeNewCommand, requestBudgetRefusal, tooManyRequests } from '@/lib/http/api-limits';
import { isConnectionError } from '@/lib/db/connection-errors';
import { problem, problemResponse } from '@/lib/http/problem';
import { isDraining } from '@/lib/process/lifecycle';
import { currentRequest, setCustomerId } from '@/lib/observability/request-context';
import { errorFields, log } from '@/lib/observability/log';

// Wraps API route handlers: who the caller is, the checks every POST passes, and the one catch for
// the unexpected.

export async function guarded(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (isConnectionError(error) || error instanceof IdentityUnavailable) {
      log().warn(errorFields(error), 'database unavailable');
      return problemResponse(
        problem(
          'service-unavailable',
          'The database could not be reached. Retry with the same Idempotency-Key: the request is applied at most once.',
        ),
        {
          'retry-after': '1',
        },
      );
    }
    log().error(errorFields(error, true), 'unexpected error in API route');
    return problemResponse(
      problem('internal-error', 'An unexpected error occurred. Retrying with the same Idempotency-Key is safe.'),
    );
  }
}

/**
 * Every customer API route runs its code as `customerRequest(request, async (customer) => …)`:
 * without a session cookie or a valid `Authorization: Bearer <API key>` it answers 401 before any
 * route code runs (an API key over its request limit gets 429); otherwise the code gets the caller.
 */
export async function customerRequest(
  request: Request,
  run: (customer: Customer) => Promise<Response>,
): Promise<Response> {
  return guarded(async () => {
    const identity = await identifyRequest(request);
    if (identity.status === 'disabled') {
      const detail =
        'This customer has been disabled by an administrator: its sessions and API keys no longer work. Contact support to have it enabled again.';
      return problemResponse(problem('customer-disabled', detail), {
        'www-authenticate': 'Bearer realm="idem", error="invalid_token"',
      });
    }
    if (identity.status === 'anonymous' && identity.badKey) {
      const detail =
        'The API key is invalid, expired or revoked. Create a new one at /settings/api-keys and send it as Authorization: Bearer <key>.';
      return problemResponse(problem('unauthorized', detail), {
        'www-authenticate': 'Bearer realm="idem", error="invalid_token"',
      });
    }
    if (identity.status === 'anonymous') {
      return problemResponse(
        problem('unauthorized', 'Sign in, or send Authorization: Bearer <API key> (create one at /settings/api-keys).'),
        {
          'www-authenticate': 'Bearer realm="idem"',
        },
      );
    }
    setCustomerId(identity.customer.id); // log lines below this request name the customer
    // The key's and the customer's budgets in one statement (lib/http/api-limits.ts).
    const over = await requestBudgetRefusal(
      identity.via === 'api-key'
        ? { via: 'api-key', keyId: identity.keyId, customerId: identity.customer.id }
        : { via: 'session', customerId: identity.customer.id },
    );
    if (over) return over;
    callers.set(request, identity);
    return run(identity.customer);
  });
}

/** Who made each request customerRequest let through: commandRequest's checks depend on it. */
const callers = new WeakMap<
  Request,
  { customer: Customer; via: 'session' } | { customer: Customer; via: 'api-key'; scopes: readonly string[] }
>();

/**
 * The checks of every request that changes state, body or not (a POST, a DELETE): not while
 * draining, not with a read-only key, not cross-site. Null when it may go on.
 */
export function stateChangeRefusal(request: Request): Response | null {
  // A draining instance takes no new work — requests that arrived after SIGTERM; those already in
  // flight finish. The client (or the load balancer) retries elsewhere with the same key.
  if (currentRequest()?.arrivedWhileDraining ?? isDraining()) {
    const detail =
      'This instance is shutting down. Retry with the same Idempotency-Key: the request is applied at most once.';
    return problemResponse(problem('service-unavailable', detail), { 'retry-after': '1' });
  }
  // Every command changes state (opens an account or moves money): a key needs the write scope.
  const caller = callers.get(request);
  if (caller?.via === 'api-key' && !caller.scopes.includes('write')) {
    const detail =
      'This API key may only read. Moving money and other changes need a key with the write scope (create one at /settings/api-keys).';
    return problemResponse(problem('forbidden', detail));
  }
  // Outside customerRequest the caller is unknown: checked as strictly as a session cookie.
  const origin = checkSameOrigin(request, callers.get(request)?.via ?? 'session');
  if (!origin.ok) return problemResponse(origin.problem);
  return null;
}

/** Cross-site check, Idempotency-Key, JSON content type, size limit, then the body schema. */
export async function commandRequest<S extends z.ZodType>(
  request: Request,
  schema: S,
  options: { bodyOptional?: boolean } = {},
): Promise<{ ok: true; key: string; body: z.output<S> } | { ok: false; response: Response }> {
  const refused = stateChangeRefusal(request);
  if (refused) return { ok: false, response: refused };
  const key = idempotencyKey(request);
  if (!key.ok) return { ok: false, response: problemResponse(key.problem) };
  const body = await checkedBody(request, schema, options);
  if (!body.ok) return body;
  const caller = callers.get(request);
  if (caller) {
    const capped = await consumeNewCommand(caller.customer.id, scopedCommandId(caller.customer.id, key.value));
    if (capped) {
      const detail = `This customer has sent too many new Idempotency-Keys this hour; retry in ${capped.retryAfterSeconds} s. Keys already used are still answered.`;
      return { ok: false, response: tooManyRequests(detail, capped) };
    }
  }
  return { ok: true, key: key.value, body: body.body };
}

/**
 * A PATCH that sets values (enable an endpoint): the state-change checks and the body, and no
 * Idempotency-Key, as for a DELETE: setting a value twice leaves what setting it once left.
 */
export async function updateRequest<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<{ ok: true; body: z.output<S> } | { ok: false; response: Response }> {
  const refused = stateChangeRefusal(request);
  if (refused) return { ok: false, response: refused };
  return checkedBody(request, schema);
}

/** JSON content type, size limit, then the body schema. */
async function checkedBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  options: { bodyOptional?: boolean } = {},
): Promise<{ ok: true; body: z.output<S> } | { ok: false; response: Response }> {
  // A POST that takes no parameters (rotate a secret) may come without a body: it reads as {}.
  const bodiless = options.bodyOptional && !request.headers.get('content-type') && !request.body;
  const json = bodiless ? ({ ok: true, value: {} } as const) : await readJsonBody(request);
  // A body cut off at the limit leaves the rest unread, and Node then destroys the socket: say so,
  // or the client reuses the connection and its next request fails with a reset.
  const close: Record<string, string> = json.ok || json.problem.status !== 413 ? {} : { connection: 'close' };
  if (!json.ok) return { ok: false, response: problemResponse(json.problem, close) };
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) return { ok: false, response: problemResponse(validationProblem(parsed.error)) };
  return { ok: true, body: parsed.data };
}
