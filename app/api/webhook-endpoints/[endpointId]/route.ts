import { customerRequest, stateChangeRefusal, updateRequest } from '@/lib/http/api-handler';
import { jsonResponse } from '@/lib/http/problem';
import { db } from '@/lib/db/prisma';
import { deleteEndpoint, endpointNotFound, endpointUpdateBody, getEndpoint, setEnabled } from '@/lib/webhooks';

type Context = { params: Promise<{ endpointId: string }> };

/** The endpoint, as the list shows it (its secret is never shown again). */
export async function GET(request: Request, { params }: Context) {
  return customerRequest(request, async (customer) => {
    const { endpointId } = await params;
    const endpoint = await getEndpoint(db(), customer.id, endpointId);
    return endpoint ? jsonResponse(200, endpoint) : endpointNotFound(endpointId);
  });
}

/** `{"enabled": false}` stops its deliveries (the pending ones wait), `{"enabled": true}` starts them again. */
export async function PATCH(request: Request, { params }: Context) {
  return customerRequest(request, async (customer) => {
    const checked = await updateRequest(request, endpointUpdateBody);
    if (!checked.ok) return checked.response;
    const { endpointId } = await params;
    const endpoint = await setEnabled(db(), customer.id, endpointId, checked.body.enabled);
    return endpoint ? jsonResponse(200, endpoint) : endpointNotFound(endpointId);
  });
}

/** Deletes the endpoint and its deliveries; nothing more is sent to it. */
export async function DELETE(request: Request, { params }: Context) {
  return customerRequest(request, async (customer) => {
    const refused = stateChangeRefusal(request);
    if (refused) return refused;
    const { endpointId } = await params;
    if (!(await deleteEndpoint(customer.id, endpointId))) return endpointNotFound(endpointId);
    return new Response(null, { status: 204 });
  });
}
