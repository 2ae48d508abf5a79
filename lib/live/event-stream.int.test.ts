import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { appDatabase } from '@/test/auth';
import { pgSlotStore } from './slot-store';
import { SLOT_LIVENESS_MS, StreamSlots } from './stream-slots';
import { apiCustomer, type ApiCustomer, type OpenedAccount } from '@/test/in-process-api';
import { answerText, typedApi } from '@/test/typed-api';

// The live feed as an API client sees it: GET /api/accounts/{id}/events/stream, called through the
// typed client (its answers are checked against the OpenAPI document), its body read as it arrives.

type SseEvent = { id: string; event: string; data: { type: string; data: Record<string, unknown> } };

/** Reads an SSE body as it arrives; `next(n)` waits for n more events. */
function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: SseEvent[] = [];
  let ended = false;
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        if (fields.data) events.push({ id: fields.id!, event: fields.event!, data: JSON.parse(fields.data) });
      }
    }
    ended = true;
  })().catch(() => (ended = true));
  return {
    events,
    ended: () => ended,
    async waitFor(count: number) {
      await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(count), { timeout: 10_000, interval: 20 });
      return events.slice(0, count);
    },
    async close() {
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

let ada: ApiCustomer;
let bob: ApiCustomer;
let adas: OpenedAccount;
let bobs: OpenedAccount;
const open: { close: () => Promise<void> }[] = [];

const database = appDatabase();
beforeAll(async () => {
  [ada, bob] = [await apiCustomer('Ada Lovelace'), await apiCustomer('Bob Builder')];
  adas = await ada.open('100.00', 'Everyday');
  bobs = await bob.open('100.00', 'Spending');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function stream(who: ApiCustomer, accountId: string, lastEventId?: string, afterVersion?: number) {
  const { response } = await who.api.GET('/api/accounts/{accountId}/events/stream', {
    params: {
      path: { accountId },
      header: lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId },
      query: afterVersion === undefined ? {} : { afterVersion },
    },
    parseAs: 'stream',
  });
  return response;
}

async function openStream(who: ApiCustomer, accountId: string, lastEventId?: string, afterVersion?: number) {
  const response = await stream(who, accountId, lastEventId, afterVersion);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = sseReader(response);
  open.push(reader);
  return reader;
}

/** The account's events as the paged API lists them: position and type, oldest first. */
async function positions(who: ApiCustomer, accountId: string) {
  const reply = await who.events(accountId, '?limit=1000');
  const body = JSON.parse(reply.text) as { events: { globalPosition: string; type: string }[] };
  return body.events;
}

describe('GET /api/accounts/{id}/events/stream', () => {
  it('is the owner’s only: another customer’s account and an unknown id are the same 404; no caller is 401', async () => {
    for (const id of [adas.id, randomUUID(), 'not-an-id']) {
      const response = await stream(bob, id);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(answerText(response)).type).toBe('/problems/account-not-found');
    }
    const { response } = await typedApi({ host: '127.0.0.1:3000' }).GET('/api/accounts/{accountId}/events/stream', {
      params: { path: { accountId: adas.id } },
      parseAs: 'stream',
    });
    expect(response.status).toBe(401);
  });

  it('sends a transfer from another customer as it commits: the public event, masked sender, reference', async () => {
    const feed = await openStream(ada, adas.id);
    const sent = await bob.transfer({
      from: bobs.id,
      toAccountNumber: adas.accountNumber,
      amount: '5.00',
      reference: 'Lunch',
    });
    expect(sent.status).toBe(201);
    const [received] = await feed.waitFor(1);
    expect(received!.event).toBe('transfer.received');
    expect(received!.data).toMatchObject({
      type: 'transfer.received',
      data: {
        accountId: adas.id,
        amount: '5.00',
        balance: '105.00',
        from: { name: 'B. B******', accountNumber: bobs.accountNumber },
        reference: 'Lunch',
      },
    });
    // Bob's command id is not Ada's to see.
    expect(received!.data.data).not.toHaveProperty('commandId');
    const listed = await positions(ada, adas.id);
    expect(received!.id).toBe(listed.at(-1)!.globalPosition);
    // Nothing foreign: Bob's own stream event never reaches Ada's feed.
    await ada.deposit(adas.id, { amount: '1.00' });
    const [, deposit] = await feed.waitFor(2);
    expect(deposit!.event).toBe('money.deposited');
    expect(feed.events.every((e) => e.data.data.accountId === adas.id)).toBe(true);
  });

  it('resumes with Last-Event-ID: exactly the events after it, in order, then the live ones', async () => {
    const before = await positions(ada, adas.id);
    const mark = before.at(-1)!.globalPosition;
    for (const amount of ['1.00', '2.00', '3.00']) expect((await ada.deposit(adas.id, { amount })).status).toBe(201);
    await bob.transfer({ from: bobs.id, toAccountNumber: adas.accountNumber, amount: '4.00' });
    const after = (await positions(ada, adas.id)).filter((e) => BigInt(e.globalPosition) > BigInt(mark));
    expect(after).toHaveLength(4);

    const feed = await openStream(ada, adas.id, mark);
    const backlog = await feed.waitFor(4);
    expect(backlog.map((e) => e.id)).toEqual(after.map((e) => e.globalPosition));
    expect(backlog.map((e) => e.event)).toEqual([
      'money.deposited',
      'money.deposited',
      'money.deposited',
      'transfer.received',
    ]);
    await ada.withdraw(adas.id, { amount: '1.00' });
    const all = await feed.waitFor(5);
    expect(all[4]!.event).toBe('money.withdrawn');
    expect(new Set(all.map((e) => e.id)).size).toBe(5);
    expect(feed.events).toHaveLength(5);

    // Resuming from the newest event sends nothing old.
    const latest = await openStream(ada, adas.id, all[4]!.id);
    await ada.deposit(adas.id, { amount: '0.50' });
    const [only] = await latest.waitFor(1);
    expect(only!.data.data).toMatchObject({ amount: '0.50' });
    expect(BigInt(only!.id)).toBeGreaterThan(BigInt(all[4]!.id));
  });

  it('starts after the version a page showed (afterVersion): what committed since first, then the live ones', async () => {
    // The page rendered version `shown`; two deposits commit before its stream connects.
    const shown = (await positions(ada, adas.id)).length;
    for (const amount of ['1.25', '2.25']) expect((await ada.deposit(adas.id, { amount })).status).toBe(201);
    const since = (await positions(ada, adas.id)).slice(shown);
    expect(since).toHaveLength(2);

    const feed = await openStream(ada, adas.id, undefined, shown);
    const backlog = await feed.waitFor(2);
    expect(backlog.map((e) => e.id)).toEqual(since.map((e) => e.globalPosition));
    expect(backlog.map((e) => e.data.data)).toMatchObject([{ amount: '1.25' }, { amount: '2.25' }]);
    expect(backlog.map((e) => e.data.data.version)).toEqual([shown + 1, shown + 2]);
    await ada.withdraw(adas.id, { amount: '0.25' });
    const all = await feed.waitFor(3);
    expect(all[2]!.event).toBe('money.withdrawn');
    expect(feed.events).toHaveLength(3);

    // From the account's first version: every later event. Past its latest: only what comes next.
    const fromFirst = await openStream(ada, adas.id, undefined, 1);
    const older = await fromFirst.waitFor(shown + 2);
    expect(older.map((e) => e.data.data.version)).toEqual(Array.from({ length: shown + 2 }, (_, i) => i + 2));
    const ahead = await openStream(ada, adas.id, undefined, 1_000_000);
    // Last-Event-ID (what a browser sends when it reconnects) wins over afterVersion.
    const resumed = await openStream(ada, adas.id, all[1]!.id, 1);
    await ada.deposit(adas.id, { amount: '0.75' });
    const [next] = await ahead.waitFor(1);
    expect(next!.data.data).toMatchObject({ amount: '0.75' });
    const [withdrawn, deposited] = await resumed.waitFor(2);
    expect([withdrawn!.id, deposited!.id]).toEqual([all[2]!.id, next!.id]);
    expect(ahead.events).toHaveLength(1);
    expect(fromFirst.events).toHaveLength(shown + 3);
  });

  it('refuses an afterVersion that is not a version, with problem+json naming it', async () => {
    for (const bad of ['-1', 'latest', '1.5']) {
      const response = await ada.api.GET('/api/accounts/{accountId}/events/stream', {
        params: { path: { accountId: adas.id }, query: { afterVersion: bad as unknown as number } },
        parseAs: 'stream',
      });
      expect(response.response.status).toBe(400);
      expect(JSON.parse(answerText(response.response))).toMatchObject({
        type: '/problems/invalid-request',
        errors: [{ parameter: 'afterVersion' }],
      });
    }
  });

  it('refuses a Last-Event-ID that is not a position, with problem+json', async () => {
    const response = await stream(ada, adas.id, 'yesterday');
    expect(response.status).toBe(400);
    expect(JSON.parse(answerText(response))).toMatchObject({ type: '/problems/invalid-request' });
  });

  it('caps the streams a customer holds open: one more is 429 too-many-streams; closing one frees a slot', async () => {
    vi.stubEnv('IDEM_LIVE_STREAMS_PER_CUSTOMER', '2');
    const first = await openStream(ada, adas.id);
    await openStream(ada, adas.id);
    const refused = await stream(ada, adas.id);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(answerText(refused))).toMatchObject({ type: '/problems/too-many-streams', limit: 2 });
    // Another customer has slots of their own.
    await openStream(bob, bobs.id);
    await first.close();
    await vi.waitFor(async () => {
      const again = await stream(ada, adas.id);
      if (again.status === 200) open.push(sseReader(again));
      expect(again.status).toBe(200);
    });
  });

  it('counts the streams of every instance on the database: slots another instance holds leave fewer here', async () => {
    vi.stubEnv('IDEM_LIVE_STREAMS_PER_CUSTOMER', '2');
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const elsewhere = new StreamSlots(
      pgSlotStore(() => pool, 'another-instance', SLOT_LIVENESS_MS),
      3_600_000,
    );
    try {
      const theirs = await elsewhere.take(ada.id, 2);
      expect(theirs).not.toBeNull();
      await openStream(ada, adas.id);
      const refused = await stream(ada, adas.id);
      expect(refused.status).toBe(429);
      expect(JSON.parse(answerText(refused))).toMatchObject({ type: '/problems/too-many-streams', limit: 2 });
      // This instance's stream counts over there too.
      expect(await elsewhere.take(ada.id, 2)).toBeNull();
      theirs!();
      await vi.waitFor(async () => {
        const again = await stream(ada, adas.id);
        if (again.status === 200) open.push(sseReader(again));
        expect(again.status).toBe(200);
      });
    } finally {
      await elsewhere.stop();
      await pool.end();
    }
  });

  it('answers 503 when the database cannot count the stream, and opens none uncounted', async () => {
    const outage = await new pg.Client({ connectionString: 'postgres://idem@127.0.0.1:1/idem' })
      .connect()
      .then(() => new Error('connected to port 1'))
      .catch((error: unknown) => error);
    vi.spyOn(StreamSlots.prototype, 'take').mockRejectedValueOnce(outage);
    const response = await stream(ada, adas.id);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(answerText(response))).toMatchObject({ type: '/problems/service-unavailable' });
  });

  it('sends a comment line as a heartbeat while idle', async () => {
    vi.stubEnv('IDEM_LIVE_HEARTBEAT_SECONDS', '1');
    const response = await stream(ada, adas.id);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await vi.waitFor(
      async () => {
        const { value } = await reader.read();
        text += decoder.decode(value);
        expect(text.match(/^: keep-alive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
      },
      { timeout: 10_000 },
    );
    await reader.cancel();
  });
});
