// The fan-out: follows the global log gap-safely (lib/projections/global-log.ts, the same reader
// as the asynchronous projections) and turns each published event of an account into one pending
// delivery per enabled endpoint of THAT account's owner subscribed to its type (a standing order's
// outcome: the paying account's owner; lib/public-events/public-forms.ts). The checkpoint moves
// in the same transaction as the deliveries are written, so each event is fanned out exactly once;
// the checkpoint row is taken with SKIP LOCKED, so while one instance fans out the others deliver.
import type pg from 'pg';
import { readGlobalLog, type Checkpoint } from '@/lib/projections/global-log';
import { publicEventId } from '@/lib/public-events/public-event';
import { publicFormsOf } from '@/lib/public-events/public-forms';
import { inTransaction } from './transaction';

type EndpointRow = { id: string; customerId: string; eventTypes: string[] };

export const subscribes = (eventTypes: readonly string[], type: string): boolean =>
  eventTypes.length === 0 || eventTypes.includes(type);

/** One batch in one transaction; returns how many events were read (0: nothing safe to read, or another instance is at it). */
export function fanOutBatch(client: pg.ClientBase, batchSize = 500): Promise<number> {
  return inTransaction(client, async () => {
    const { rows } = await client.query<{ tx: string; pos: string }>(
      `SELECT last_transaction_id AS tx, last_position::text AS pos FROM webhook_checkpoint WHERE id = 1 FOR UPDATE SKIP LOCKED`,
    );
    const row = rows[0];
    if (!row) return 0;
    const checkpoint: Checkpoint = { transactionId: row.tx, position: BigInt(row.pos) };
    const events = await readGlobalLog(client, checkpoint, batchSize);
    if (events.length === 0) return 0;
    const last = events.at(-1)!;
    const advance = () =>
      client.query(
        `UPDATE webhook_checkpoint SET last_transaction_id = $1, last_position = $2, updated_at = now() WHERE id = 1`,
        [last.transactionId, last.globalPosition.toString()],
      );
    // No endpoint enabled at all (a ledger nobody follows by webhook): the batch only moves the
    // checkpoint, without reading the accounts' owners and public forms of every event.
    const { rows: enabled } = await client.query<{ any: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) AS any',
    );
    if (!enabled[0]?.any) {
      await advance();
      return events.length;
    }
    // A standing order's outcome belongs to its paying account: `data.accountId` is that account either way.
    const { forms, directory } = await publicFormsOf(client, events);
    const owners = [
      ...new Set([...directory.values()].flatMap((entry) => (entry.customerId ? [entry.customerId] : []))),
    ];
    const { rows: endpoints } = owners.length
      ? await client.query<EndpointRow>(
          `SELECT id::text, customer_id AS "customerId", event_types AS "eventTypes"
             FROM webhook_endpoints WHERE enabled AND customer_id = ANY($1::text[])`,
          [owners],
        )
      : { rows: [] as EndpointRow[] };
    const columns: {
      endpoint: string[];
      eventId: string[];
      type: string[];
      account: string[];
      at: Date[];
      body: string[];
    } = {
      endpoint: [],
      eventId: [],
      type: [],
      account: [],
      at: [],
      body: [],
    };
    for (const [i, event] of events.entries()) {
      const publicEvent = endpoints.length ? forms[i] : null;
      if (!publicEvent) continue;
      const owner = directory.get(publicEvent.data.accountId)?.customerId;
      const body = JSON.stringify(publicEvent);
      for (const endpoint of endpoints) {
        if (endpoint.customerId !== owner || !subscribes(endpoint.eventTypes, publicEvent.type)) continue;
        columns.endpoint.push(endpoint.id);
        columns.eventId.push(publicEventId(event.streamId, event.version));
        columns.type.push(publicEvent.type);
        columns.account.push(publicEvent.data.accountId);
        columns.at.push(event.createdAt);
        columns.body.push(body);
      }
    }
    if (columns.endpoint.length > 0) {
      // unnest keeps the order of the arrays: ids grow in log order, which delivery order follows.
      await client.query(
        `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, account_id, event_at, body)
         SELECT endpoint_id, event_id, event_type, account_id, event_at, body FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[], $6::text[]) WITH ORDINALITY
          AS t(endpoint_id, event_id, event_type, account_id, event_at, body, n) ORDER BY n`,
        [columns.endpoint, columns.eventId, columns.type, columns.account, columns.at, columns.body],
      );
    }
    await advance();
    return events.length;
  });
}
