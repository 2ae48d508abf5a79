import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { jsonResponse } from '@/lib/http/problem';
import { createEndpointAnswer, listEndpoints, newEndpointBody } from '@/lib/webhooks';

/** Your webhook endpoints (secrets are shown only when made). */
export async function GET(request: Request) {
  return customerRequest(request, async (customer) =>
    jsonResponse(200, { endpoints: await listEndpoints(customer.id) }),
  );
}

/** A new endpoint, with its signing secret (the only time it is shown). */
export async function POST(request: Request) {
  return customerRequest(request, async (customer) => {
    const checked = await commandRequest(request, newEndpointBody);
    if (!checked.ok) return checked.response;
    return createEndpointAnswer(customer.id, checked.key, checked.body);
  });
}
