// The live feed across instances: a stream opened on instance A receives an event committed on
// instance B (PostgreSQL's NOTIFY reaches every instance's listener; each reads the log itself),
// resumes on B with Last-Event-ID, and ends cleanly when its instance shuts down. The delay from
// sending the transfer to the event's arrival is measured and printed, not asserted (shared machine).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUpApiCustomer, type ApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';

let cluster: Cluster;
let ada: ApiCustomer;
let bob: ApiCustomer;
beforeAll(async () => {
  cluster = await startCluster({ instances: 2 });
  const [a] = cluster.urls();
  [ada, bob] = [await signUpApiCustomer(a!, 'Ada Lovelace'), await signUpApiCustomer(a!, 'Bob Builder')];
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

type Received = { id: string; event: string; data: { data: Record<string, unknown> }; at: number };

/** An SSE stream read as it arrives, with the arrival time of each event. */
async function openStream(url: string, who: ApiCustomer, accountId: string, lastEventId?: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/accounts/${accountId}/events/stream`, {
    headers: { authorization: who.authorizations[0]!, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
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

  it('a stream ends when its instance shuts down (SIGTERM), and the instance exits without waiting for it', async () => {
    const [a] = cluster.urls() as [string, string];
    const adas = (await post(a, ada, '/api/accounts', { name: 'Drained', openingDeposit: '1.00' })).body;
    const stream = await openStream(a, ada, adas.id!);
    const instance = cluster.instances[0]!;
    const before = instance.output.length;
    await cluster.kill(0, 'SIGTERM');
    await vi.waitFor(() => expect(stream.ended()).toBe(true));
    // The drain did not wait for the open stream: it ended it, and nothing was cut at the timeout.
    const shutdown = instance.output.slice(before).join('\n');
    expect(shutdown).toContain('shutdown complete');
    expect(shutdown).not.toContain('shutdown timeout');
    await cluster.restart(0);
  }, 120_000);
});
