import { jsonResponse } from '@/lib/http/problem';
import { INT8_MAX, invalidQuery, parseLimit, parseWholeNumber, queryReader } from '@/lib/http/query-params';
import { endpointNotFound, endpointRoute, findEndpoint, listDeliveries } from '@/lib/webhooks';
import { db } from '@/lib/db/prisma';

/** The endpoint's deliveries, newest first; `cursor` is the `nextCursor` of the page before. */
export const GET = endpointRoute(async (request, customerId, endpointId) => {
  const endpoint = await findEndpoint(db(), customerId, endpointId);
  if (!endpoint) return endpointNotFound(endpointId);
  const reader = queryReader(new URL(request.url));
  const cursorText = reader.single('cursor');
  const cursor = cursorText === undefined ? null : parseWholeNumber(cursorText, INT8_MAX);
  if (cursor === undefined) reader.fail('cursor', 'cursor must be a nextCursor value from an earlier answer');
  const limit = parseLimit(reader, 50, 200);
  if (reader.errors.length > 0) return invalidQuery(reader.errors);
  return jsonResponse(200, await listDeliveries(endpoint.id, cursor ?? null, limit));
});
