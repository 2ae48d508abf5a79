import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { emptyBody, rotateSecretAnswer } from '@/lib/webhooks';

type Context = { params: Promise<{ endpointId: string }> };

/** A new signing secret; deliveries carry both signatures for 24 hours. */
export async function POST(request: Request, { params }: Context) {
  return customerRequest(request, async (customer) => {
    const checked = await commandRequest(request, emptyBody, { bodyOptional: true });
    if (!checked.ok) return checked.response;
    return rotateSecretAnswer(customer.id, checked.key, (await params).endpointId);
  });
}
