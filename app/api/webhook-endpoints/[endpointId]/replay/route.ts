import { endpointCommandRoute, replayAnswer, replayBody } from '@/lib/webhooks';

/** Delivers again every event of your accounts from `from` on (with their own webhook-ids). */
export const POST = endpointCommandRoute(replayBody, (customerId, key, { endpointId }, body) =>
  replayAnswer(customerId, key, endpointId, body.from),
);
