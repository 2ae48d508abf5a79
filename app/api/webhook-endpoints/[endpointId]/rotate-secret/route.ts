import { emptyBody, endpointCommandRoute, rotateSecretAnswer } from '@/lib/webhooks';

/** A new signing secret; deliveries carry both signatures for 24 hours. No body is needed. */
export const POST = endpointCommandRoute(
  emptyBody,
  (customerId, key, { endpointId }) => rotateSecretAnswer(customerId, key, endpointId),
  { bodyOptional: true },
);
