import 'server-only';
// A customer's endpoints (their deliveries: deliveries.ts): every read and change is scoped to the
// customer, so another customer's endpoint id is simply not found.
import { randomUUID } from 'node:crypto';
import { db } from '@/lib/db/prisma';
import { sealSecret, newSigningSecret } from './secrets';
import { MAX_ENDPOINTS_PER_CUSTOMER, ROTATION_OVERLAP_MS } from './rules';

type Tx = Parameters<Parameters<ReturnType<typeof db>['$transaction']>[0]>[0];
export type Client = Tx | ReturnType<typeof db>;

export type EndpointView = {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
};

type EndpointRow = Awaited<ReturnType<ReturnType<typeof db>['webhookEndpoint']['findFirstOrThrow']>>;

export const endpointView = (row: EndpointRow): EndpointView => ({
  id: row.id,
  url: row.url,
  eventTypes: row.eventTypes,
  enabled: row.enabled,
  disabledReason: row.disabledReason,
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

const ENDPOINT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findEndpoint(client: Client, customerId: string, id: string): Promise<EndpointRow | null> {
  if (!ENDPOINT_ID.test(id)) return null;
  return client.webhookEndpoint.findFirst({ where: { id, customerId } });
}

/** One endpoint as the list shows it, or null when the customer has no such endpoint. */
export async function getEndpoint(client: Client, customerId: string, id: string): Promise<EndpointView | null> {
  const row = await findEndpoint(client, customerId, id);
  return row && endpointView(row);
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

/**
 * Enables or disables the endpoint; the endpoint after it, or null when the customer has none such.
 * Only a change of value writes: enabling clears the reason and the failing state (its 5 days start
 * again), disabling says it was you; setting the value it already has keeps its reason and clock.
 */
export async function setEnabled(
  client: Client,
  customerId: string,
  id: string,
  enabled: boolean,
): Promise<EndpointView | null> {
  if (!ENDPOINT_ID.test(id)) return null;
  await client.webhookEndpoint.updateMany({
    where: { id, customerId, enabled: !enabled },
    data: enabled
      ? { enabled: true, disabledReason: null, failingSince: null }
      : { enabled: false, disabledReason: 'Disabled by you.' },
  });
  return getEndpoint(client, customerId, id);
}
