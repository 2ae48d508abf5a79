import 'server-only';
import type { z } from 'zod';
import { commandRequest, customerRequest } from '@/lib/http/api-handler';

type Context = { params: Promise<{ endpointId: string }> };
type Answer<B> = (customerId: string, key: string, endpointId: string, body: B) => Promise<Response>;

/** POST /api/webhook-endpoints/{id}/…: the caller, the command checks (Idempotency-Key, body), then `answer`. */
export function endpointCommandRoute<S extends z.ZodType>(
  schema: S,
  answer: Answer<z.output<S>>,
  options: { bodyOptional?: boolean } = {},
) {
  return (request: Request, { params }: Context) =>
    customerRequest(request, async (customer) => {
      const checked = await commandRequest(request, schema, options);
      if (!checked.ok) return checked.response;
      return answer(customer.id, checked.key, (await params).endpointId, checked.body);
    });
}
