import { stateChangeRefusal, updateRequest } from '@/lib/http/api-handler';
import { jsonResponse } from '@/lib/http/problem';
import { db } from '@/lib/db/prisma';
import {
  deleteEndpoint,
  endpointNotFound,
  endpointRoute,
  endpointUpdateBody,
  getEndpoint,
  setEnabled,
} from '@/lib/webhooks';

/** The endpoint, as the list shows it (its secret is never shown again). */
export const GET = endpointRoute(async (_request, customerId, endpointId) => {
  const endpoint = await getEndpoint(db(), customerId, endpointId);
  return endpoint ? jsonResponse(200, endpoint) : endpointNotFound(endpointId);
});

/** `{"enabled": false}` stops its deliveries (the pending ones wait), `{"enabled": true}` starts them again. */
export const PATCH = endpointRoute(async (request, customerId, endpointId) => {
  const checked = await updateRequest(request, endpointUpdateBody);
  if (!checked.ok) return checked.response;
  const endpoint = await setEnabled(db(), customerId, endpointId, checked.body.enabled);
  return endpoint ? jsonResponse(200, endpoint) : endpointNotFound(endpointId);
});

/** Deletes the endpoint and its deliveries; nothing more is sent to it. */
export const DELETE = endpointRoute(async (request, customerId, endpointId) => {
  const refused = stateChangeRefusal(request);
  if (refused) return refused;
  if (!(await deleteEndpoint(customerId, endpointId))) return endpointNotFound(endpointId);
  return new Response(null, { status: 204 });
});
