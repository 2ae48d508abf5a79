// The face of the webhooks module (docs/webhooks.md): what routes, pages and the ops console use.
export {
  createEndpointAnswer,
  endpointNotFound,
  replayAnswer,
  resendAnswer,
  rotateSecretAnswer,
  testEventAnswer,
} from './api';
export { endpointsWithDeliveries, listDeliveries, resendDelivery, sendTest } from './deliveries';
export { deleteEndpoint, findEndpoint, getEndpoint, listEndpoints, setEnabled } from './endpoints';
export { emptyBody, endpointUpdateBody, MAX_ENDPOINTS_PER_CUSTOMER, newEndpointBody, replayBody } from './rules';
export { webhookBacklog } from './metrics';
export { endpointCommandRoute, endpointRoute } from './endpoint-route';
