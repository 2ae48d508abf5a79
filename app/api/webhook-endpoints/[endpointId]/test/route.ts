import { emptyBody, endpointCommandRoute, testEventAnswer } from '@/lib/webhooks';

/** Queues a `webhook.test` delivery to the endpoint (whatever it subscribes to). No body is needed. */
export const POST = endpointCommandRoute(
  emptyBody,
  (customerId, key, { endpointId }) => testEventAnswer(customerId, key, endpointId),
  { bodyOptional: true },
);
