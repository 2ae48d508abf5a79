// The face of the webhooks module (docs/webhooks.md): what routes, pages and the ops console use.
export { createEndpointAnswer, endpointNotFound, replayAnswer, rotateSecretAnswer } from './api';
export {
  deleteEndpoint,
  endpointsWithDeliveries,
  findEndpoint,
  listDeliveries,
  listEndpoints,
  resendDelivery,
  sendTest,
  setEnabled,
  type DeliveryView,
  type EndpointView,
} from './endpoints';
export {
  emptyBody,
  endpointUrl,
  MAX_ENDPOINTS_PER_CUSTOMER,
  newEndpointBody,
  replayBody,
  TEST_EVENT_TYPE,
} from './rules';
export { webhookBacklog, type WebhookBacklog } from './metrics';
