import 'server-only';
// An endpoint's deliveries: listed, sent again, and the test event. Each change takes the client it
// runs on, so the API runs it in its Idempotency-Key's transaction and the settings page on its own.
import { db } from '@/lib/db/prisma';
import { parseWholeNumber, INT8_MAX } from '@/lib/http/query-params';
import { endpointView, findEndpoint, type Client } from './endpoints';
import { sendTestEvent } from './replay';

type DeliveryView = {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponse: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
};

/** A delivery just queued: its id, and the `webhook-id` (eventId) it is sent with. */
export type QueuedDelivery = { endpointId: string; deliveryId: string; eventId: string; eventType: string };

type DeliveryRow = Awaited<ReturnType<ReturnType<typeof db>['webhookDelivery']['findFirstOrThrow']>>;
type QueuedRow = Pick<DeliveryRow, 'id' | 'endpointId' | 'eventId' | 'eventType'>;

const deliveryView = (row: DeliveryRow): DeliveryView => ({
  id: row.id.toString(),
  eventId: row.eventId,
  eventType: row.eventType,
  status: row.status as DeliveryView['status'],
  attempts: row.attempts,
  lastStatusCode: row.lastStatusCode,
  lastError: row.lastError,
  lastResponse: row.lastResponse,
  lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
  nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
  createdAt: row.createdAt.toISOString(),
});

const queued = (row: QueuedRow): QueuedDelivery => ({
  endpointId: row.endpointId,
  deliveryId: row.id.toString(),
  eventId: row.eventId,
  eventType: row.eventType,
});

/** Newest first, `limit` at a time; `before` is a delivery id from an earlier page. */
export async function listDeliveries(endpointId: string, before: bigint | null, limit: number) {
  const rows = await db().webhookDelivery.findMany({
    where: { endpointId, ...(before === null ? {} : { id: { lt: before } }) },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { deliveries: page.map(deliveryView), nextCursor: rows.length > limit ? page.at(-1)!.id.toString() : null };
}

/** The settings page: every endpoint with its most recent deliveries. */
export async function endpointsWithDeliveries(customerId: string, recent = 10) {
  const rows = await db().webhookEndpoint.findMany({
    where: { customerId },
    orderBy: { createdAt: 'asc' },
    include: { deliveries: { orderBy: { id: 'desc' }, take: recent } },
  });
  return rows.map((row) => ({ ...endpointView(row), deliveries: row.deliveries.map(deliveryView) }));
}

/**
 * Delivers a delivery's event again: a new delivery with the same webhook-id and body, after the
 * pending ones. Another endpoint's delivery, even the customer's own, is not this endpoint's.
 */
export async function resendDelivery(
  client: Client,
  customerId: string,
  endpointId: string,
  deliveryId: string,
): Promise<QueuedDelivery | 'endpoint-not-found' | 'delivery-not-found'> {
  const endpoint = await findEndpoint(client, customerId, endpointId);
  if (!endpoint) return 'endpoint-not-found';
  const id = parseWholeNumber(deliveryId, INT8_MAX);
  if (id === undefined) return 'delivery-not-found';
  const [row] = await client.$queryRaw<QueuedRow[]>`
    INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, account_id, event_at, body)
    SELECT endpoint_id, event_id, event_type, account_id, event_at, body FROM webhook_deliveries
     WHERE id = ${id} AND endpoint_id = ${endpoint.id}::uuid
    RETURNING id, endpoint_id::text AS "endpointId", event_id AS "eventId", event_type AS "eventType"`;
  return row ? queued(row) : 'delivery-not-found';
}

/** "Send test event": a `webhook.test` delivery to one of the customer's endpoints; null when it is not theirs. */
export async function sendTest(client: Client, customerId: string, endpointId: string): Promise<QueuedDelivery | null> {
  const endpoint = await findEndpoint(client, customerId, endpointId);
  return endpoint && queued(await sendTestEvent(client, endpoint.id));
}
