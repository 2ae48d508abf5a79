// The live feed across instances: a stream opened on instance A receives an event committed on
// instance B (PostgreSQL's NOTIFY reaches every instance's listener; each reads the log itself),
// resumes on B with Last-Event-ID, counts against one cap per customer whichever instance holds it
// (requests go to each instance directly, not through a load balancer), and ends cleanly when its
// instance shuts down. The delay from
// sending the transfer to the event's arrival is measured and printed, not asserted (shared machine).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withClient } from '../lib/db/with-client';
import { signUpApiCustomer, type ApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';

const CAP = 3;
let cluster: Cluster;
let ada: ApiCustomer;
let bob: ApiCustomer;
beforeAll(async () => {
  cluster = await startCluster({ instances: 2, env: { IDEM_LIVE_STREAMS_PER_CUSTOMER: String(CAP) } });
  const [a] = cluster.urls();
  [ada, bob] = [await signUpApiCustomer(a!, 'Ada Lovelace'), await signUpApiCustomer(a!, 'Bob Builder')];
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

type Received = { id: string; event: string; data: { data: Record<string, unknown> }; at: number };

/** GET the account's stream on the instance at `url`; the controller ends it. */
async function requestStream(url: string, who: ApiCustomer, accountId: string, lastEventId?: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/accounts/${accountId}/events/stream`, {
    headers: { authorization: who.authorizations[0]!, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  return { response, controller };
}

/** An SSE stream read as it arrives, with the arrival time of each event. */
async function openStream(url: string, who: ApiCustomer, accountId: string, lastEventId?: string) {
  const { response, controller } = await requestStream(url, who, accountId, lastEventId);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Received[] = [];
  let ended = false;
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, cut).split('\n');
          buffer = buffer.slice(cut + 2);
          const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          const data = field('data');
          if (data) events.push({ id: field('id')!, event: field('event')!, data: JSON.parse(data), at: Date.now() });
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return { events, ended: () => ended, close: () => controller.abort() };
}

/** The customer's rows in live_stream_slots: streams per instance. */
const slotRows = (customerId: string) =>
  withClient(cluster.postgres.url, async (db) => {
    const { rows } = await db.query<{ streams: number }>(
      'SELECT streams FROM live_stream_slots WHERE customer_id = $1 ORDER BY instance_id',
      [customerId],
    );
    return rows.map((r) => r.streams);
  });

async function post(url: string, who: ApiCustomer, path: string, body: unknown) {
  const sentAt = Date.now();
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: who.authorizations[0]!,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, text).toBe(201);
  return { body: JSON.parse(text) as Record<string, string>, sentAt };
}

describe('live updates on a 2-instance cluster', () => {
  it('an event committed on B reaches a stream opened on A; a stream resumed on B gets exactly what came after', async () => {
    const [a, b] = cluster.urls() as [string, string];
    const adas = (await post(a, ada, '/api/accounts', { name: 'Everyday', openingDeposit: '10.00' })).body;
    const bobs = (await post(b, bob, '/api/accounts', { name: 'Spending', openingDeposit: '100.00' })).body;

    const onA = await openStream(a, ada, adas.id!);
    const delays: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const sent = await post(b, bob, '/api/transfers', {
        from: bobs.id,
        toAccountNumber: adas.accountNumber,
        amount: `${i}.00`,
        reference: `Payment ${i}`,
      });
      await vi.waitFor(() => expect(onA.events).toHaveLength(i), { timeout: 15_000, interval: 10 });
      delays.push(onA.events[i - 1]!.at - sent.sentAt);
    }
    expect(onA.events.map((e) => [e.event, e.data.data.amount, e.data.data.reference])).toEqual(
      [1, 2, 3, 4, 5].map((i) => ['transfer.received', `${i}.00`, `Payment ${i}`]),
    );
    console.log(
      `live feed, transfer request sent to instance B → its event on a stream on instance A: ${delays.join(', ')} ms (max ${Math.max(...delays)} ms)`,
    );

    // Resume on the other instance from the third event: the fourth and fifth, then what is new.
    onA.close();
    const third = onA.events[2]!.id;
    await post(b, ada, `/api/accounts/${adas.id}/deposits`, { amount: '0.25' });
    const onB = await openStream(b, ada, adas.id!, third);
    await vi.waitFor(() => expect(onB.events).toHaveLength(3), { timeout: 15_000, interval: 10 });
    expect(onB.events.map((e) => e.id)).toEqual([onA.events[3]!.id, onA.events[4]!.id, onB.events[2]!.id]);
    expect(onB.events[2]).toMatchObject({ event: 'money.deposited', data: { data: { amount: '0.25' } } });
    onB.close();
  }, 120_000);

  it('caps a customer’s open streams over both instances: one more on either is 429; a close on A frees a slot on B', async () => {
    const [a, b] = cluster.urls() as [string, string];
    const carol = await signUpApiCustomer(a, 'Carol Capped');
    const account = (await post(a, carol, '/api/accounts', { name: 'Capped', openingDeposit: '1.00' })).body.id!;
    const held = [await openStream(a, carol, account), await openStream(b, carol, account)];
    held.push(await openStream(a, carol, account));
    expect(held).toHaveLength(CAP);
    for (const url of [a, b]) {
      const { response } = await requestStream(url, carol, account);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({
        type: '/problems/too-many-streams',
        limit: CAP,
        detail: `This customer already has ${CAP} event streams open, the most allowed at once. Close one (a tab of the account page, a client) and retry.`,
      });
    }
    // A stream on A ends; its slot is free on B once A has written its count.
    held.shift()!.close();
    await vi.waitFor(
      async () => {
        const { response, controller } = await requestStream(b, carol, account);
        if (response.status !== 200) await response.body?.cancel();
        else held.push({ events: [], ended: () => false, close: () => controller.abort() });
        expect(response.status).toBe(200);
      },
      { timeout: 15_000, interval: 50 },
    );
    const { response } = await requestStream(a, carol, account);
    expect(response.status).toBe(429);
    await response.body?.cancel();
    for (const stream of held) stream.close();
  }, 120_000);

  it('a stream ends when its instance shuts down (SIGTERM), and the instance exits without waiting for it', async () => {
    const [a] = cluster.urls() as [string, string];
    const adas = (await post(a, ada, '/api/accounts', { name: 'Drained', openingDeposit: '1.00' })).body;
    await vi.waitFor(async () => expect(await slotRows(ada.id)).toEqual([]));
    const stream = await openStream(a, ada, adas.id!);
    expect(await slotRows(ada.id)).toEqual([1]);
    const instance = cluster.instances[0]!;
    const before = instance.output.length;
    await cluster.kill(0, 'SIGTERM');
    await vi.waitFor(() => expect(stream.ended()).toBe(true));
    // The drain did not wait for the open stream: it ended it, and nothing was cut at the timeout.
    const shutdown = instance.output.slice(before).join('\n');
    expect(shutdown).toContain('shutdown complete');
    expect(shutdown).not.toContain('shutdown timeout');
    expect(shutdown).not.toContain('shutdown step failed');
    // Its slot went with it: nothing of the stopped instance is left to count.
    expect(await slotRows(ada.id)).toEqual([]);
    await cluster.restart(0);
  }, 120_000);
});
