// The relay and the statements consumer against a real nats-server (Debian's, JetStream on) and a
// database of this file's own: every event reaches the stream once, in per-subject version order;
// a standby relay takes over from a stopped leader; a relay whose stored position fell behind the
// stream after the duplicate window publishes nothing twice (the start-up reconciliation); the
// consumer's statements equal the ones computed from the events table.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { startNatsServer, type NatsServer } from '@/lib/cluster/nats';
import { createPrismaClient, type Db } from '@/lib/db/prisma';
import { StatementsConsumer } from '@/lib/statements/consumer';
import { CUSTOMER, testAccountNumber } from '@/test/customers';
import { freshDatabase } from '@/test/db';
import { auditStream, statementsFromConsumer, statementsFromLog } from '@/test/streaming';
import { connectNats } from './connection';
import { readRelayPosition } from './position';
import { Relay } from './relay';
import { ALL_SUBJECTS, STREAM_NAME } from './subjects';

let url: string;
let ownerUrl: string;
let drop: () => Promise<void>;
let db: Db;
let client: pg.Client;
let nats: NatsServer;
let nc: NatsConnection;
const accounts: AccountId[] = [];
const relays: Relay[] = [];
/** Short, so the test can outlive it: the reconciliation must hold after the window. */
const WINDOW_MS = 300;

async function command(type: 'DepositMoney' | 'WithdrawMoney', accountId: AccountId, amountCents: number, now: Date) {
  await handleAccountCommand(
    { type, data: { accountId, amountCents }, metadata: { commandId: randomUUID(), now, customerId: CUSTOMER } },
    { db },
  );
}

/** Commands over two months, transfers included. */
async function traffic(round: number) {
  for (const [i, accountId] of accounts.entries()) {
    for (const month of ['2026-11-20T10:00:00Z', '2026-12-02T10:00:00Z']) {
      const now = new Date(month);
      await command('DepositMoney', accountId, 1_000 + i + round, now);
      await command('WithdrawMoney', accountId, 250 + round, now);
      await handleTransfer(
        {
          type: 'TransferMoney',
          data: {
            transferId: randomUUID(),
            fromAccountId: accountId,
            toAccountId: accounts[(i + 1) % accounts.length]!,
            amountCents: 75,
          },
          metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
        },
        { db },
      );
    }
  }
}

const eventCount = async () => Number((await client.query(`SELECT count(*) FROM events`)).rows[0].count);
const streamCount = async () => (await (await jetstreamManager(nc)).streams.info(STREAM_NAME)).state.messages;

function relay() {
  const r = new Relay({ database: url, nats: nats.url }, { pollMs: 50 });
  relays.push(r);
  r.start();
  return r;
}

beforeAll(async () => {
  ({ url, ownerUrl, drop } = await freshDatabase());
  db = createPrismaClient(url, 10);
  client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  nats = await startNatsServer();
  nc = await connectNats(nats.url, 'relay-test');
  // The stream made here with a short duplicate window (the relay keeps an existing stream as it is).
  await (
    await jetstreamManager(nc)
  ).streams.add({ name: STREAM_NAME, subjects: [ALL_SUBJECTS], duplicate_window: nanos(WINDOW_MS) });
  for (let i = 0; i < 3; i++) {
    const accountId = newAccountId();
    accounts.push(accountId);
    await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: {
          accountId,
          accountNumber: testAccountNumber(accountId),
          owner: `Owner ${i}`,
          openingDepositCents: 5_000,
        },
        metadata: { commandId: randomUUID(), now: new Date('2026-11-01T09:00:00Z'), customerId: CUSTOMER },
      },
      { db },
    );
  }
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await nc?.close();
  await nats?.stop();
  await client?.end();
  await db?.$disconnect();
  await drop?.();
});

describe('the JetStream relay', () => {
  it('publishes every event once, in per-subject order, and a standby takes over from the leader', async () => {
    await traffic(0);
    const [a, b] = [relay(), relay()];
    await vi.waitFor(async () => expect(await streamCount()).toBe(await eventCount()), { timeout: 30_000 });
    expect([a.leads(), b.leads()].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = a.leads() ? [a, b] : [b, a];
    await leader.stop();
    await traffic(1);
    await vi.waitFor(async () => expect(await streamCount()).toBe(await eventCount()), { timeout: 30_000 });
    expect(standby.leads()).toBe(true);
    const audit = await auditStream(nc, await jetstreamManager(nc), client);
    expect(audit).toMatchObject({ missing: [], extra: [], outOfOrder: [] });
    expect(audit.messages).toBe(audit.events);
    expect(audit.uniqueIds).toBe(audit.events);
    await standby.stop();
  });

  it('publishes nothing twice after the duplicate window when its position fell behind the stream', async () => {
    const before = await streamCount();
    const position = await readRelayPosition(client);
    expect(position.position).toBeGreaterThan(0n);
    // The window has passed: the broker would store a repeat now (shown with a throwaway subject).
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 2));
    const probe = `idem.events.probe.${randomUUID()}`;
    const js = jetstream(nc);
    await js.publish(probe, 'x', { msgID: 'probe' });
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 2));
    expect((await js.publish(probe, 'x', { msgID: 'probe' })).duplicate).toBe(false);
    await (await jetstreamManager(nc)).streams.purge(STREAM_NAME, { filter: probe });
    // As if the relay died after the acks and before it wrote its position.
    await client.query(`UPDATE relay_positions SET last_transaction_id = '0', last_position = 0`);
    const r = relay();
    await vi.waitFor(async () => expect((await readRelayPosition(client)).position).toBe(position.position), {
      timeout: 30_000,
    });
    await r.stop();
    expect(await streamCount()).toBe(before);
  });
});

describe('the statements consumer', () => {
  it('builds the statements computed from the events table, and reads on after a restart', async () => {
    // The sequence of the last message there is (the probe above left deleted sequences after it).
    const lastMessage = async () =>
      (await (await jetstreamManager(nc)).streams.getMessage(STREAM_NAME, { last_by_subj: ALL_SUBJECTS }))!.seq;
    const last = await lastMessage();
    const applied = async () =>
      Number((await client.query(`SELECT stream_sequence FROM statements.consumer_position`)).rows[0]?.stream_sequence);
    const first = new StatementsConsumer({ database: ownerUrl, nats: nats.url }, { batchSize: 7 });
    first.start();
    await vi.waitFor(async () => expect(await applied()).toBe(last), { timeout: 30_000 });
    await first.stop();
    // More events while it is down; a new consumer reads on from the stored sequence + 1.
    await traffic(2);
    const r = relay();
    await vi.waitFor(async () => expect(await streamCount()).toBe(await eventCount()), { timeout: 30_000 });
    await r.stop();
    const next = new StatementsConsumer({ database: ownerUrl, nats: nats.url });
    next.start();
    const end = await lastMessage();
    await vi.waitFor(async () => expect(await applied()).toBe(end), { timeout: 30_000 });
    await next.stop();
    const expected = await statementsFromLog(client);
    expect(expected.length).toBe(accounts.length * 2);
    expect(await statementsFromConsumer(client)).toEqual(expected);
  });
});
