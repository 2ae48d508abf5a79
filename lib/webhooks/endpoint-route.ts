import 'server-only';
import type { z } from 'zod';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';

type Params = { endpointId: string };
type Answer<B, P> = (customerId: string, key: string, params: P, body: B) => Promise<Response>;

/** A request to /api/webhook-endpoints/{id}[/…]: the caller, then `run` with the endpoint id of the path. */
export function endpointRoute(run: (request: Request, customerId: string, endpointId: string) => Promise<Response>) {
  return (request: Request, { params }: { params: Promise<Params> }) =>
    customerRequest(request, async (customer) => run(request, customer.id, (await params).endpointId));
}

/**
 * POST /api/webhook-endpoints/{id}/…: the caller, the command checks (Idempotency-Key, body), then
 * `answer` with the path's parameters (the endpoint id, and any more the path has).
 */
export function endpointCommandRoute<S extends z.ZodType, P extends Params = Params>(
  schema: S,
  answer: Answer<z.output<S>, P>,
  options: { bodyOptional?: boolean } = {},
) {
  return (request: Request, { params }: { params: Promise<P> }) =>
    customerRequest(request, async (customer) => {
      const checked = await commandRequest(request, schema, options);
      if (!checked.ok) return checked.response;
      return answer(customer.id, checked.key, await params, checked.body);
    });
}
