import { customerRequest, stateChangeRefusal } from '@/lib/http/api-handler';
import { problem, problemResponse } from '@/lib/http/problem';
import { cancelledBody, standingOrderResponse } from '@/lib/standing-orders/http';
import { cancelStandingOrder } from '@/lib/standing-orders/service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Cancels one of the caller's standing orders: no payment that has not started is made. The answer
 * names the payment that was already running, if one was (it completes). Cancelling again answers
 * the same; someone else's order answers like an unknown one (404).
 */
export async function DELETE(request: Request, { params }: { params: Promise<{ standingOrderId: string }> }) {
  return customerRequest(request, async (customer) => {
    const refused = stateChangeRefusal(request);
    if (refused) return refused;
    const { standingOrderId } = await params;
    const id = standingOrderId.toLowerCase();
    if (!UUID.test(id))
      return problemResponse(
        problem('standing-order-not-found', `There is no standing order ${standingOrderId.slice(0, 100)}.`),
      );
    return standingOrderResponse(await cancelStandingOrder(customer.id, id, new Date()), 200, cancelledBody);
  });
}
