// The relay and standing orders (it publishes every outcome a customer can subscribe to): an order's
// paid and refused outcomes are published on `idem.events.standingorder.<id>` with the public schema
// as body; its internal steps (created, started, retry scheduled) have no public form and are
// passed over. Real nats-server and a database of this file's own; the orders are driven through
// their scheduler.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { startNatsServer, type NatsServer } from '@/lib/cluster/nats';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { transferCommandIdOf } from '@/lib/standing-orders/occurrence';
import { lookOnce } from '@/lib/standing-orders/scheduler';
import { testAccountNumber } from '@/test/customers';
import { createOrder as createTestOrder, openAccountFor } from '@/test/standing-order-fixtures';
import { freshDatabase } from '@/test/db';
import { auditStream } from '@/test/streaming';
import { connectNats } from './connection';
import { Relay } from './relay';
import { STREAM_NAME } from './subjects';

let drop: () => Promise<void>;
let url: string;
let db: Db;
let client: pg.Client;
let nats: NatsServer;
let nc: NatsConnection;
let relay: Relay | undefined;

beforeAll(async () => {
  let ownerUrl: string;
  ({ url, ownerUrl, drop } = await freshDatabase());
  db = createPrismaClient(url, 10);
  client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  nats = await startNatsServer();
  nc = await connectNats(nats.url, 'relay-standing-orders-test');
});
afterAll(async () => {
  await relay?.stop();
  await nc?.close();
  await nats?.stop();
  await client?.end();
  await db?.$disconnect();
  await drop?.();
});

const open = (owner: string, openingDepositCents: number) => openAccountFor(db, openingDepositCents, { owner });
const createOrder = (from: AccountId, to: AccountId, amountCents: number, firstPaymentOn: string) =>
  createTestOrder(db, { from, to, amountCents, every: 'month', firstPaymentOn });

const look = (iso: string) => lookOnce({ db, clock: () => new Date(iso), batch: 100 });

/** Every message on a subject filter, in stream order. */
async function messagesOn(subject: string) {
  const jsm = await jetstreamManager(nc);
  const name = `audit-${randomUUID()}`;
  await jsm.consumers.add(STREAM_NAME, { name, filter_subject: subject, deliver_policy: DeliverPolicy.All });
  const consumer = await jetstream(nc).consumers.get(STREAM_NAME, name);
  const pending = (await consumer.info()).num_pending;
  const out: { subject: string; id: string; body: { type: string; data: Record<string, unknown> } }[] = [];
  if (pending > 0) {
    const messages = await consumer.consume();
    for await (const m of messages) {
      out.push({ subject: m.subject, id: m.headers?.get('Nats-Msg-Id') ?? '', body: m.json() });
      if (out.length >= pending) break;
    }
    messages.stop();
  }
  await jsm.consumers.delete(STREAM_NAME, name);
  return out;
}

describe('the relay and standing orders', () => {
  it('publishes paid and refused outcomes on the order’s subject, and passes over the internal steps', async () => {
    const [rich, poor, payee] = [
      await open('Ada Lovelace', 100_000),
      await open('Poor', 100),
      await open('Grace Hopper', 0),
    ];
    const paid = await createOrder(rich, payee, 2_500, '2027-01-31');
    const refused = await createOrder(poor, payee, 2_000, '2027-01-31');
    await look('2027-01-31T08:00:00.000Z'); // paid; refused once, retried the next day
    await look('2027-02-01T08:00:00.000Z'); // refused for good

    relay = new Relay({ database: url, nats: nats.url }, { pollMs: 50 });
    relay.start();
    const { rows } = await client.query<{ n: string }>(`SELECT max(global_position)::text AS n FROM events`);
    const last = BigInt(rows[0]!.n);
    await vi.waitFor(
      async () => {
        const { rows: at } = await client.query<{ pos: string }>(
          `SELECT last_position::text AS pos FROM relay_positions WHERE name = 'jetstream'`,
        );
        expect(BigInt(at[0]?.pos ?? '0')).toBeGreaterThanOrEqual(last);
      },
      { timeout: 30_000 },
    );

    // Every event with a public form once, nothing else, in per-subject version order.
    const audit = await auditStream(nc, await jetstreamManager(nc), client);
    expect(audit).toMatchObject({ missing: [], extra: [], outOfOrder: [] });
    expect(audit.messages).toBe(audit.events);

    const orders = await messagesOn('idem.events.standingorder.>');
    expect(orders.map((m) => [m.subject, m.body.type])).toEqual([
      [`idem.events.standingorder.${paid}`, 'standing_order.paid'],
      [`idem.events.standingorder.${refused}`, 'standing_order.refused'],
    ]);
    const [paidMessage, refusedMessage] = orders;
    expect(paidMessage!.body.data).toMatchObject({
      eventId: paidMessage!.id,
      standingOrderId: paid,
      accountId: rich,
      dueOn: '2027-01-31',
      amount: '25.00',
      to: { name: 'G. H*****', accountNumber: testAccountNumber(payee) },
      commandId: transferCommandIdOf(paid, '2027-01-31', 1),
    });
    expect(refusedMessage!.body.data).toMatchObject({
      standingOrderId: refused,
      accountId: poor,
      reason: expect.any(String),
    });
    expect(refusedMessage!.body.data).not.toHaveProperty('commandId');
    // The internal steps were in the log but not on the stream.
    const { rows: steps } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'standingorder-%' AND type NOT IN ('OccurrencePaid', 'OccurrenceRefused')`,
    );
    expect(steps[0]!.n).toBeGreaterThanOrEqual(5);
  });
});
