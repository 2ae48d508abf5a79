// Webhooks under a storm, across 3 instances: a receiver on 127.0.0.1 verifies every delivery with
// `standardwebhooks`, answers 500 to some first attempts and never answers others (the 10 s
// timeout), is down for 5 s and comes back, while customers send deposits, withdrawals and transfers
// with duplicated Idempotency-Keys to different instances, and one instance is killed with SIGKILL
// while it holds a delivery in flight. At the end: every event of every subscribed account was
// acknowledged, 0 missing, 0 out of order per account, 0 foreign, retries carried the same id, no
// attempt was in flight twice, nothing was given up; the receiver's discarded duplicates are
// reported. Counts are printed (no timing assertions).
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../lib/db/with-client';
import { publicEventId } from '../lib/public-events/public-event';
import { startCluster, type Cluster } from './cluster';
import { money, seeded, StormClient, stormCustomers } from './storm';
import { startReceiver, type Answer, type Receiver } from './webhook-receiver';

const METRICS_TOKEN = 'metrics-token-for-the-webhook-storm';
/** Short retries so the run ends in minutes; a dozen, so nothing is given up while the receiver is down. */
const RETRY_SCHEDULE = '300ms,600ms,1s,1s,2s,2s,3s,3s,5s,5s,5s,5s';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same answer for an id whichever instance asks: 12 % get a 500 first, 3 % no answer first. */
function answerFor(id: string, attempt: number): Answer {
  const h = createHash('sha256').update(id).digest()[0]! % 100;
  if (attempt === 1 && h < 12) return 500;
  if (attempt === 1 && h < 15) return 'hang';
  return 204;
}

let cluster: Cluster;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver({ answer: (request, attempt) => answerFor(request.id, attempt) });
  cluster = await startCluster({
    instances: 3,
    env: {
      IDEM_WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE,
      IDEM_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      METRICS_TOKEN,
      LOG_LEVEL: 'info',
    },
  });
});
afterAll(async () => {
  await cluster?.stop();
  await receiver?.stop();
});

type Row = { streamId: string; version: number; accountId: string; customerId: string };

describe('webhooks across 3 instances under a storm, a flaky receiver and kill -9', () => {
  it('delivers every event of every subscribed account, in order, nothing foreign, one id per event', async () => {
    const url = (i: number) => cluster.urls()[i]!;
    const client = new StormClient(cluster.urls, await stormCustomers(cluster.urls(), [1, 1, 1, 1]));
    const [subscribed, unsubscribed] = [client.customers.slice(0, 3), client.customers[3]!];
    // Endpoints first, then the accounts: every event of theirs is the endpoints' to receive.
    for (const [i, customer] of subscribed.entries()) {
      const response = await fetch(`${url(i)}/api/webhook-endpoints`, {
        method: 'POST',
        headers: {
          ...client.authHeaders(customer.id),
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ url: receiver.url(`/c${i}`) }),
      });
      expect(response.status).toBe(201);
      receiver.trust(`/c${i}`, ((await response.json()) as { secret: string }).secret);
    }
    const accounts: string[] = [];
    for (const [i, customer] of client.customers.entries())
      for (let n = 0; n < 2; n++) accounts.push(await client.openAccount(customer, `Account ${i}-${n}`, '800.00', n));

    // The storm: deposits, withdrawals and transfers, 40 % of keys sent twice to two instances.
    const rand = seeded(19);
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 180; i++) {
      const from = pick(accounts);
      const kind = rand();
      const key = `wh-${randomUUID()}`;
      const copies = rand() < 0.4 ? 2 : 1;
      const first = Math.floor(rand() * 3);
      const delayMs = Math.floor(rand() * 25_000);
      const amount = money(1 + Math.floor(rand() * 2_000));
      const to = pick(accounts.filter((a) => client.account(a).customerId !== client.account(from).customerId));
      for (let copy = 0; copy < copies; copy++) {
        const options = { instance: (first + copy) % 3, duplicate: copy > 0, delayMs: delayMs + copy * 7 };
        sends.push(
          kind < 0.35
            ? client.deposit(from, amount, key, options)
            : kind < 0.7
              ? client.withdraw(from, amount, key, options)
              : client.transfer(from, to, amount, key, options),
        );
      }
    }
    let stormEnded = false;
    const storm = Promise.all(sends).finally(() => (stormEnded = true));

    // The receiver goes down for 5 s once deliveries flow, and comes back.
    await expect.poll(() => receiver.requests.length, { timeout: 60_000 }).toBeGreaterThan(20);
    await receiver.down();
    await sleep(5_000);
    await receiver.up();

    // kill -9 of the instance holding a delivery the receiver has not answered (its process or a child of it).
    const instanceOf = (pid: number): number => {
      for (let p = pid; p > 1;) {
        const found = cluster.instances.findIndex((instance) => instance.alive && instance.pid === p);
        if (found >= 0) return found;
        const status = readFileSync(`/proc/${p}/status`, 'utf8');
        p = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      }
      return -1;
    };
    const held = async () =>
      withClient(cluster.postgres.url, async (db) => {
        const { rows } = await db.query<{ eventId: string; leasedBy: string }>(
          `SELECT event_id AS "eventId", leased_by AS "leasedBy" FROM webhook_deliveries WHERE lease_until > now()`,
        );
        return rows
          .filter((r) => receiver.hangingIds().includes(r.eventId))
          .map((r) => ({ ...r, instance: instanceOf(Number(r.leasedBy.split(':').at(-1))) }))
          .filter((r) => r.instance >= 0);
      });
    let holding: Awaited<ReturnType<typeof held>> = [];
    await expect
      .poll(async () => (holding = await held()).length, { timeout: 120_000, interval: 50 })
      .toBeGreaterThan(0);
    const victim = holding[0]!.instance;
    const inFlight = holding.filter((h) => h.instance === victim).map((h) => h.eventId);
    const killedMidStorm = !stormEnded;
    await cluster.kill(victim);
    await storm;

    // Every published event of the subscribed customers' accounts, from the log.
    const events = await withClient(cluster.postgres.url, async (db) => {
      const { rows } = await db.query<Row>(
        `SELECT e.stream_id AS "streamId", e.version, b.account_id::text AS "accountId", b.customer_id AS "customerId"
           FROM events e JOIN account_balances b ON e.stream_id = 'account-' || b.account_id::text`,
      );
      return rows;
    });
    const expectedAt = (path: string, customerId: string) =>
      events.filter((e) => e.customerId === customerId).map((e) => publicEventId(e.streamId, e.version));
    const missing = () =>
      subscribed.flatMap((c, i) => {
        const got = new Set(receiver.acknowledged(`/c${i}`).map((r) => r.id));
        return expectedAt(`/c${i}`, c.id).filter((id) => !got.has(id));
      });
    await expect.poll(() => missing().length, { timeout: 180_000, interval: 250 }).toBe(0);

    // Nothing foreign: each path got only its customer's accounts; the unsubscribed customer's accounts, nowhere.
    const owner = new Map(events.map((e) => [e.accountId, e.customerId]));
    const foreign = receiver.requests.filter((r) => {
      const customer = subscribed[Number(r.path.slice(2))]!;
      return owner.get(r.body.data.accountId as string) !== customer.id;
    });
    expect(foreign).toEqual([]);
    expect(receiver.requests.some((r) => owner.get(r.body.data.accountId as string) === unsubscribed.id)).toBe(false);
    expect(receiver.badSignatures).toEqual([]);
    expect(receiver.outOfOrder).toEqual([]);
    expect(receiver.overlaps).toEqual([]);

    // Retries carried the same id: ids answered 500 or left hanging were acknowledged later, under that id.
    const ids = new Set(receiver.requests.map((r) => `${r.path} ${r.id}`));
    const retried = [...ids].filter((key) => {
      const [path, id] = key.split(' ') as [string, string];
      return receiver.attemptsOf(path, id) > 1;
    });
    expect(retried.length).toBeGreaterThan(0);
    for (const key of retried) {
      const [path, id] = key.split(' ') as [string, string];
      expect(receiver.acknowledged(path).some((r) => r.id === id)).toBe(true);
    }
    // The killed instance's delivery was taken over and acknowledged with its id.
    for (const id of inFlight) expect(receiver.requests.some((r) => r.id === id && r.answered === 204)).toBe(true);

    const stored = await withClient(cluster.postgres.url, async (db) => {
      const { rows } = await db.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status`,
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    });
    await expect
      .poll(async () =>
        withClient(cluster.postgres.url, async (db) => {
          const { rows } = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'delivered'`,
          );
          return rows[0]!.n;
        }),
      )
      .toBe(0);
    const live = cluster.instances.find((instance) => instance.alive)!;
    const metrics = await fetch(`${live.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await metrics.text();
    expect(text).toMatch(/idem_webhook_deliveries_total\{outcome="delivered"\} \d+/);
    expect(text).toMatch(/idem_webhook_delivery_lag_seconds_count \d+/);
    expect(text).toMatch(/idem_webhook_backlog\{measure="deliveries"\} 0/);

    const total = subscribed.reduce((n, c, i) => n + expectedAt(`/c${i}`, c.id).length, 0);
    console.log(
      `webhooks storm: ${total} events for 3 endpoints, ${receiver.requests.length} requests received, ` +
        `${retried.length} events retried (same id), ${inFlight.length} in flight at the kill -9 of instance ${victim} taken over (storm still sending: ${killedMidStorm}), ` +
        `${receiver.duplicates} duplicates discarded by the receiver, 0 missing, ${receiver.outOfOrder.length} out of order, ` +
        `${foreign.length} foreign; deliveries by status at the end ${JSON.stringify(stored)}; ` +
        `storm: ${client.stats.requests} requests, ${client.stats.duplicates} duplicate sends, ${client.stats.retries} retries`,
    );
  });
});
