import 'server-only';
// A customer's endpoints and deliveries: every read and change is scoped to the customer, so another
// customer's endpoint id is simply not found.
import { randomUUID } from 'node:crypto';
import { db } from '@/lib/db/prisma';
import { sealSecret, newSigningSecret } from './secrets';
import { MAX_ENDPOINTS_PER_CUSTOMER, ROTATION_OVERLAP_MS } from './rules';
import { sendTestEvent } from './replay';

type Tx = Parameters<Parameters<ReturnType<typeof db>['$transaction']>[0]>[0];
type Client = Tx | ReturnType<typeof db>;

export type EndpointView = {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
};

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

type EndpointRow = Awaited<ReturnType<ReturnType<typeof db>['webhookEndpoint']['findFirstOrThrow']>>;
type DeliveryRow = Awaited<ReturnType<ReturnType<typeof db>['webhookDelivery']['findFirstOrThrow']>>;

const endpointView = (row: EndpointRow): EndpointView => ({
  id: row.id,
  url: row.url,
  eventTypes: row.eventTypes,
  enabled: row.enabled,
  disabledReason: row.disabledReason,
  createdAt: row.createdAt.toISOString(),
});

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

/** Creates an endpoint, or 'limit' when the customer has MAX_ENDPOINTS_PER_CUSTOMER already. */
export async function createEndpoint(
  tx: Tx,
  customerId: string,
  input: { url: string; eventTypes?: string[] },
): Promise<{ endpoint: EndpointView; secret: string } | 'limit'> {
  // One creation at a time per customer, so two concurrent requests cannot both be the 10th.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('webhook-endpoints'), hashtext(${customerId}))`;
  const count = await tx.webhookEndpoint.count({ where: { customerId } });
  if (count >= MAX_ENDPOINTS_PER_CUSTOMER) return 'limit';
  const secret = newSigningSecret();
  const row = await tx.webhookEndpoint.create({
    data: {
      id: randomUUID(),
      customerId,
      url: input.url.trim(),
      eventTypes: [...new Set(input.eventTypes ?? [])],
      secret: sealSecret(secret),
    },
  });
  return { endpoint: endpointView(row), secret };
}

export async function findEndpoint(client: Client, customerId: string, id: string): Promise<EndpointRow | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  return client.webhookEndpoint.findFirst({ where: { id, customerId } });
}

export async function listEndpoints(customerId: string): Promise<EndpointView[]> {
  const rows = await db().webhookEndpoint.findMany({ where: { customerId }, orderBy: { createdAt: 'asc' } });
  return rows.map(endpointView);
}

export async function deleteEndpoint(customerId: string, id: string): Promise<boolean> {
  if (!(await findEndpoint(db(), customerId, id))) return false;
  const { count } = await db().webhookEndpoint.deleteMany({ where: { id, customerId } });
  return count > 0;
}

/** A new secret; the previous one keeps signing for ROTATION_OVERLAP_MS. */
export async function rotateSecret(tx: Tx, endpoint: EndpointRow, now = new Date()): Promise<string> {
  const secret = newSigningSecret();
  await tx.webhookEndpoint.update({
    where: { id: endpoint.id },
    data: {
      secret: sealSecret(secret),
      previousSecret: endpoint.secret,
      previousSecretUntil: new Date(now.getTime() + ROTATION_OVERLAP_MS),
    },
  });
  return secret;
}

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

export async function setEnabled(customerId: string, id: string, enabled: boolean): Promise<boolean> {
  if (!(await findEndpoint(db(), customerId, id))) return false;
  const { count } = await db().webhookEndpoint.updateMany({
    where: { id, customerId },
    data: enabled
      ? { enabled: true, disabledReason: null, failingSince: null }
      : { enabled: false, disabledReason: 'Disabled by you.' },
  });
  return count > 0;
}

/** Delivers a delivery's event again (a new delivery with the same webhook-id, after the pending ones). */
export async function resendDelivery(customerId: string, endpointId: string, deliveryId: string): Promise<boolean> {
  if (!/^\d{1,18}$/.test(deliveryId) || !(await findEndpoint(db(), customerId, endpointId))) return false;
  const inserted = await db().$executeRaw`
    INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, account_id, event_at, body)
    SELECT endpoint_id, event_id, event_type, account_id, event_at, body FROM webhook_deliveries
     WHERE id = ${BigInt(deliveryId)} AND endpoint_id = ${endpointId}::uuid`;
  return inserted > 0;
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

/** "Send test event": a `webhook.test` delivery to one of the customer's endpoints. */
export async function sendTest(customerId: string, endpointId: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const endpoint = await findEndpoint(tx, customerId, endpointId);
    if (!endpoint) return false;
    await sendTestEvent(tx, endpoint.id);
    return true;
  });
}
