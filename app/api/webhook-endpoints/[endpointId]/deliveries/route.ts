import { customerRequest } from '@/lib/http/api-handler';
import { jsonResponse } from '@/lib/http/problem';
import { INT8_MAX, invalidQuery, parseLimit, parseWholeNumber, queryReader } from '@/lib/http/query-params';
import { endpointNotFound, findEndpoint, listDeliveries } from '@/lib/webhooks';
import { db } from '@/lib/db/prisma';

type Context = { params: Promise<{ endpointId: string }> };

/** The endpoint's deliveries, newest first; `cursor` is the `nextCursor` of the page before. */
export async function GET(request: Request, { params }: Context) {
  return customerRequest(request, async (customer) => {
    const { endpointId } = await params;
    const endpoint = await findEndpoint(db(), customer.id, endpointId);
    if (!endpoint) return endpointNotFound(endpointId);
    const reader = queryReader(new URL(request.url));
    const cursorText = reader.single('cursor');
    const cursor = cursorText === undefined ? null : parseWholeNumber(cursorText, INT8_MAX);
    if (cursor === undefined) reader.fail('cursor', 'cursor must be a nextCursor value from an earlier answer');
    const limit = parseLimit(reader, 50, 200);
    if (reader.errors.length > 0) return invalidQuery(reader.errors);
    return jsonResponse(200, await listDeliveries(endpoint.id, cursor ?? null, limit));
  });
}
