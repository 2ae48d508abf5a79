import { commandRequest, customerRequest } from '@/lib/http/api-handler';
import { replayAnswer, replayBody } from '@/lib/webhooks';

type Context = { params: Promise<{ endpointId: string }> };

/** Delivers again every event of your accounts from `from` on (with their own webhook-ids). */
export async function POST(request: Request, { params }: Context) {
  return customerRequest(request, async (customer) => {
    const checked = await commandRequest(request, replayBody);
    if (!checked.ok) return checked.response;
    return replayAnswer(customer.id, checked.key, (await params).endpointId, checked.body.from);
  });
}
