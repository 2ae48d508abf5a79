import 'server-only';
// The endpoint API's answers (app/api/webhook-endpoints/**): thin routes call these.
import { loadConfig } from '@/lib/config';
import { notifyCustomer } from '@/lib/mail/notify';
import { problem, problemResponse } from '@/lib/http/problem';
import { addressPolicyOf, checkEndpointHost } from './address-policy';
import { resendDelivery, sendTest } from './deliveries';
import { createEndpoint, findEndpoint, rotateSecret } from './endpoints';
import { idempotent, refuse } from './idempotent';
import { replayFrom } from './replay';
import { MAX_ENDPOINTS_PER_CUSTOMER } from './rules';

export const endpointNotFound = (id: string) =>
  problemResponse(
    problem('webhook-endpoint-not-found', `You have no webhook endpoint ${id.slice(0, 100)}.`, {
      endpointId: id.slice(0, 100),
    }),
  );

const deliveryNotFound = (endpointId: string, id: string) => {
  const deliveryId = id.slice(0, 100);
  return problemResponse(
    problem('webhook-delivery-not-found', `Your webhook endpoint ${endpointId} has no delivery ${deliveryId}.`, {
      endpointId,
      deliveryId,
    }),
  );
};

const urlRefused = (detail: string) =>
  problemResponse(problem('validation-failed', `url ${detail}`, { errors: [{ pointer: '/url', detail }] }));

export async function createEndpointAnswer(
  customerId: string,
  key: string,
  body: { url: string; eventTypes?: string[] },
): Promise<Response> {
  const refused = await checkEndpointHost(body.url.trim(), addressPolicyOf(loadConfig()));
  if (refused) return urlRefused(refused);
  const response = await idempotent(customerId, key, { operation: 'create', body }, async (tx) => {
    const created = await createEndpoint(tx, customerId, body);
    if (created === 'limit')
      return refuse(
        problemResponse(
          problem(
            'webhook-endpoint-limit',
            `You have ${MAX_ENDPOINTS_PER_CUSTOMER} webhook endpoints, the most a customer may have; delete one first.`,
            { limit: MAX_ENDPOINTS_PER_CUSTOMER },
          ),
        ),
      );
    const { id, url, eventTypes } = created.endpoint;
    return { status: 201, body: { id, url, secret: created.secret, eventTypes } };
  });
  if (response.status === 201 && !response.headers.get('idempotent-replayed'))
    void notifyCustomer(customerId, { kind: 'webhook-endpoint-added', url: body.url.trim() });
  return response;
}

export function rotateSecretAnswer(customerId: string, key: string, endpointId: string): Promise<Response> {
  return idempotent(customerId, key, { operation: `rotate ${endpointId}`, body: {} }, async (tx) => {
    const endpoint = (await findEndpoint(tx, customerId, endpointId)) ?? refuse(endpointNotFound(endpointId));
    const now = new Date();
    const secret = await rotateSecret(tx, endpoint, now);
    const previousSecretValidUntil = new Date(now.getTime() + 24 * 3_600_000).toISOString();
    return { status: 200, body: { id: endpoint.id, secret, previousSecretValidUntil } };
  });
}

export function replayAnswer(customerId: string, key: string, endpointId: string, from: string): Promise<Response> {
  return idempotent(customerId, key, { operation: `replay ${endpointId}`, body: { from } }, async (tx) => {
    const endpoint = (await findEndpoint(tx, customerId, endpointId)) ?? refuse(endpointNotFound(endpointId));
    const { events } = await replayFrom(tx, endpoint, new Date(from));
    return { status: 202, body: { endpointId: endpoint.id, from: new Date(from).toISOString(), events } };
  });
}

export function testEventAnswer(customerId: string, key: string, endpointId: string): Promise<Response> {
  return idempotent(customerId, key, { operation: `test ${endpointId}`, body: {} }, async (tx) => {
    const queued = (await sendTest(tx, customerId, endpointId)) ?? refuse(endpointNotFound(endpointId));
    return { status: 202, body: queued };
  });
}

export function resendAnswer(
  customerId: string,
  key: string,
  endpointId: string,
  deliveryId: string,
): Promise<Response> {
  const request = { operation: `resend ${endpointId} ${deliveryId}`, body: {} };
  return idempotent(customerId, key, request, async (tx) => {
    const queued = await resendDelivery(tx, customerId, endpointId, deliveryId);
    if (queued === 'endpoint-not-found') return refuse(endpointNotFound(endpointId));
    if (queued === 'delivery-not-found') return refuse(deliveryNotFound(endpointId, deliveryId));
    return { status: 202, body: queued };
  });
}
