import { emptyBody, endpointCommandRoute, resendAnswer } from '@/lib/webhooks';

type Params = { endpointId: string; deliveryId: string };

/** Delivers the delivery's event again, with its webhook-id, after what is pending. No body is needed. */
export const POST = endpointCommandRoute(
  emptyBody,
  (customerId, key, { endpointId, deliveryId }: Params) => resendAnswer(customerId, key, endpointId, deliveryId),
  { bodyOptional: true },
);
