import 'server-only';
// "Replay from": every published event of the customer's accounts (and of the standing orders they pay) from a point in time on, delivered
// again to one endpoint (new deliveries with the events' own webhook-ids, in log order, after what is
// pending). Also the test event ("Send test event").
import { randomUUID } from 'node:crypto';
import type { db } from '@/lib/db/prisma';
import { storedMetadataSql, streamIs } from '@/lib/event-store';
import { Prisma } from '@/lib/generated/prisma/client';
import { PUBLIC_EVENT_SCHEMA_VERSION, publicEventId } from '@/lib/public-events/public-event';
import { publicFormsOf } from '@/lib/public-events/public-forms';
import type { LogEvent } from '@/lib/projections/global-log';
import type { Client } from './endpoints';
import { subscribes } from './fan-out';
import { TEST_EVENT_TYPE } from './rules';

type Tx = Parameters<Parameters<ReturnType<typeof db>['$transaction']>[0]>[0];

/** At most this many events per replay (a later replay continues from the last one's time). */
const REPLAY_LIMIT = 10_000;

export async function replayFrom(
  tx: Tx,
  endpoint: { id: string; customerId: string; eventTypes: string[] },
  from: Date,
): Promise<{ events: number }> {
  const events = await tx.$queryRaw<Omit<LogEvent, 'globalPosition' | 'transactionId'>[]>`
    SELECT e.stream_id AS "streamId", e.version, e.type, e.data, ${Prisma.raw(storedMetadataSql('e.'))} AS metadata, c.command_id AS "commandId", e.created_at AS "createdAt"
      FROM (SELECT 'account-' || b.account_id::text FROM account_balances b WHERE b.customer_id = ${endpoint.customerId}
            UNION ALL
            -- The standing orders paid from the customer accounts: their outcomes belong to the payer.
            SELECT 'standingorder-' || s.standing_order_id::text
              FROM standing_orders s JOIN account_balances b ON b.account_id = s.from_account_id
             WHERE b.customer_id = ${endpoint.customerId}) AS owned(stream_id)
      JOIN events e ON ${Prisma.raw(streamIs('e.stream_id', 'owned.stream_id'))}
      JOIN commands c ON c.command_key = e.command_key
     WHERE e.created_at >= ${from}
     ORDER BY e.global_position LIMIT ${REPLAY_LIMIT}`;
  const client = {
    query: async (text: string, values: unknown[]) => ({ rows: await tx.$queryRawUnsafe(text, ...values) }),
  };
  const { forms } = await publicFormsOf(client as never, events);
  const rows = events.flatMap((event, i) => {
    const publicEvent = forms[i];
    if (!publicEvent || !subscribes(endpoint.eventTypes, publicEvent.type)) return [];
    return [
      {
        endpointId: endpoint.id,
        eventId: publicEventId(event.streamId, event.version),
        eventType: publicEvent.type,
        accountId: publicEvent.data.accountId,
        eventAt: event.createdAt,
        body: JSON.stringify(publicEvent),
      },
    ];
  });
  // One INSERT: the ids (the delivery order) follow the rows' order, the log's.
  const { count } = await tx.webhookDelivery.createMany({ data: rows });
  return { events: count };
}

/** A `webhook.test` delivery: the same envelope, data naming the endpoint, no account. */
export async function sendTestEvent(client: Client, endpointId: string, now = new Date()) {
  const eventId = `evt_test_${randomUUID()}`;
  const body = {
    type: TEST_EVENT_TYPE,
    timestamp: now.toISOString(),
    data: { schemaVersion: PUBLIC_EVENT_SCHEMA_VERSION, eventId, endpointId, at: now.toISOString() },
  };
  return client.webhookDelivery.create({
    data: {
      endpointId,
      eventId,
      eventType: TEST_EVENT_TYPE,
      accountId: null,
      eventAt: now,
      body: JSON.stringify(body),
    },
    select: { id: true, endpointId: true, eventId: true, eventType: true },
  });
}
