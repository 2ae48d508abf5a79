import { customerRequest, stateChangeRefusal } from '@/lib/http/api-handler';
import { deleteEndpoint, endpointNotFound } from '@/lib/webhooks';

type Context = { params: Promise<{ endpointId: string }> };

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
