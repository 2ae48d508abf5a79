import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import * as account from '@/app/api/accounts/[accountId]/route';
import * as deposits from '@/app/api/accounts/[accountId]/deposits/route';
import * as withdrawals from '@/app/api/accounts/[accountId]/withdrawals/route';
import * as events from '@/app/api/accounts/[accountId]/events/route';
import * as transfers from '@/app/api/transfers/route';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { signUp, testAuthEnv } from '@/test/auth';
import { freshDatabase } from '@/test/db';
import type { AccountId } from '@/lib/domain/account-id';

// The JSON API, called in-process (the route handlers are plain functions of a Request) against a
// database of this file's own. The cross-process behaviour is covered by e2e/api.spec.ts.

let drop: () => Promise<void>;
/** Every request is a signed-in customer's, with an API key (lib/auth/customer.int.test.ts covers the rest). */
let credentials: Record<string, string>;
beforeAll(async () => {
  const fresh = await freshDatabase();
  Object.assign(process.env, testAuthEnv, { DATABASE_URL: fresh.url });
  drop = fresh.drop;
  const customer = await signUp(auth());
  const { key } = await auth().api.createApiKey({ body: { name: 'api.int.test' }, headers: new Headers({ cookie: customer.cookie }) });
  credentials = { authorization: `Bearer ${key}` };
});
afterAll(async () => {
  await db().$disconnect();
  await drop();
});

const BASE = 'http://127.0.0.1:3000';
const params = (accountId: string) => ({ params: Promise.resolve({ accountId }) });

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', host: '127.0.0.1:3000', ...credentials, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const get = (path: string) => new Request(`${BASE}${path}`, { headers: credentials });

async function read(response: Response) {
  return { status: response.status, type: response.headers.get('content-type'), replayed: response.headers.get('idempotent-replayed'), text: await response.text() };
}

async function open(deposit = '100.00') {
  const response = await accounts.POST(post('/api/accounts', { owner: 'Api Owner', openingDeposit: deposit }, { 'idempotency-key': randomUUID() }));
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; owner: string; balance: string; version: number };
}

const withdraw = (id: string, body: unknown, key: string | null = randomUUID(), headers: Record<string, string> = {}) =>
  withdrawals.POST(post(`/api/accounts/${id}/withdrawals`, body, { ...(key === null ? {} : { 'idempotency-key': key }), ...headers }), params(id));

describe('accounts', () => {
  it('opens an account (201) and reads it back', async () => {
    const created = await open('100.00');
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), owner: 'Api Owner', balance: '100.00', version: 2 });
    const fetched = await account.GET(get(`/api/accounts/${created.id}`), params(created.id));
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual({ ...created, updatedAt: expect.stringMatching(/Z$/) });
    const list = (await (await accounts.GET(get('/api/accounts'))).json()) as { accounts: { id: string }[] };
    expect(list.accounts.map((a) => a.id)).toContain(created.id);
  });

  it('answers 404 problems for unknown and malformed ids', async () => {
    for (const id of [randomUUID(), 'nope']) {
      const response = await read(await account.GET(get(`/api/accounts/${id}`), params(id)));
      expect(response.status).toBe(404);
      expect(response.type).toBe('application/problem+json');
      expect(JSON.parse(response.text)).toMatchObject({ type: '/problems/account-not-found', status: 404 });
    }
  });
});

describe('withdrawals with an Idempotency-Key', () => {
  it('201 with the new balance; the same key again replays status and body byte for byte', async () => {
    const { id } = await open('100.00');
    const key = `key-${randomUUID()}`;
    const first = await read(await withdraw(id, { amount: '12.34' }, key));
    expect(first.status).toBe(201);
    expect(JSON.parse(first.text)).toEqual({ accountId: id, amount: '12.34', balance: '87.66', version: 3, commandId: key });
    expect(first.replayed).toBeNull();
    const again = await read(await withdraw(id, { amount: '12.34' }, key));
    expect(again).toEqual({ ...first, replayed: 'true' });
    expect(await db().event.count({ where: { commandId: key } })).toBe(1);
  });

  it('accepts the key as a Structured Field string ("…")', async () => {
    const { id } = await open();
    const key = randomUUID();
    const quoted = await read(await withdraw(id, { amount: '1.00' }, `"${key}"`));
    const bare = await read(await withdraw(id, { amount: '1.00' }, key));
    expect(quoted.status).toBe(201);
    expect(bare).toEqual({ ...quoted, replayed: 'true' });
  });

  it('insufficient funds → 422 problem with balance and requested, replayed identically', async () => {
    const { id } = await open('10.00');
    const key = randomUUID();
    const first = await read(await withdraw(id, { amount: '10.01' }, key));
    expect(first.status).toBe(422);
    expect(first.type).toBe('application/problem+json');
    expect(JSON.parse(first.text)).toMatchObject({ type: expect.stringMatching(/insufficient-funds$/), balance: '10.00', requested: '10.01' });
    await deposits.POST(post(`/api/accounts/${id}/deposits`, { amount: '100' }, { 'idempotency-key': randomUUID() }), params(id));
    expect(await read(await withdraw(id, { amount: '10.01' }, key))).toEqual({ ...first, replayed: 'true' });
  });

  it('the same key with a different request → 422 key reused, nothing written', async () => {
    const { id } = await open();
    const key = randomUUID();
    await withdraw(id, { amount: '1.00' }, key);
    const reused = await read(await withdraw(id, { amount: '2.00' }, key));
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toMatchObject({ type: '/problems/idempotency-key-reused' });
    const asDeposit = await read(await deposits.POST(post(`/api/accounts/${id}/deposits`, { amount: '1.00' }, { 'idempotency-key': key }), params(id)));
    expect(JSON.parse(asDeposit.text)).toMatchObject({ type: '/problems/idempotency-key-reused' });
    expect(await db().event.count({ where: { commandId: key } })).toBe(1);
  });

  it('a key first used by the form (server action path) replays over HTTP', async () => {
    const { id } = await open();
    const key = randomUUID();
    const viaForm = await handleAccountCommand({ type: 'WithdrawMoney', data: { accountId: id as AccountId, amountCents: 500 }, metadata: { commandId: key, now: new Date(), customerId: CUSTOMER } });
    expect(viaForm.status).toBe('accepted');
    const viaHttp = await read(await withdraw(id, { amount: '5.00' }, key));
    expect(viaHttp.status).toBe(201);
    expect(viaHttp.replayed).toBe('true');
    expect(JSON.parse(viaHttp.text)).toMatchObject({ amount: '5.00', balance: '95.00' });
  });

  it('20 concurrent requests with one key → one event, 20 identical bodies', async () => {
    const { id } = await open();
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 20 }, () => withdraw(id, { amount: '3.00' }, key).then(read)));
    expect(new Set(replies.map((r) => `${r.status} ${r.text}`)).size).toBe(1);
    expect(replies.filter((r) => r.replayed === null)).toHaveLength(1);
    expect(await db().event.count({ where: { commandId: key } })).toBe(1);
  });

  it('unknown account → 404 (recorded, so replayed identically)', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const first = await read(await withdraw(id, { amount: '1.00' }, key));
    expect(first.status).toBe(404);
    expect(await read(await withdraw(id, { amount: '1.00' }, key))).toEqual({ ...first, replayed: 'true' });
  });

  it('lists the stream in version order', async () => {
    const { id } = await open('50.00');
    await withdraw(id, { amount: '20.00' });
    const response = await events.GET(get(`/api/accounts/${id}/events`), params(id));
    const body = (await response.json()) as { events: { version: number; type: string; metadata: { commandId: string } }[] };
    expect(body.events.map((e) => [e.version, e.type])).toEqual([
      [1, 'AccountOpened'],
      [2, 'MoneyDeposited'],
      [3, 'MoneyWithdrawn'],
    ]);
  });
});

describe('POST /api/transfers', () => {
  const send = (body: unknown, key: string = randomUUID()) => transfers.POST(post('/api/transfers', body, { 'idempotency-key': key })).then(read);

  it('201 with both balances; the same key replays byte for byte', async () => {
    const [a, b] = [await open('100.00'), await open('5.00')];
    const key = randomUUID();
    const first = await send({ from: a.id, to: b.id, amount: '30.00' }, key);
    expect(first.status).toBe(201);
    expect(JSON.parse(first.text)).toEqual({ transferId: expect.stringMatching(/^[0-9a-f-]{36}$/), from: a.id, to: b.id, amount: '30.00', fromBalance: '70.00', toBalance: '35.00' });
    expect(await send({ from: a.id, to: b.id, amount: '30.00' }, key)).toEqual({ ...first, replayed: 'true' });
    expect(await db().event.count({ where: { commandId: key } })).toBe(2);
  });

  it('insufficient funds → 422; same account → 422; unknown account → 404; bad ids and amounts → 422', async () => {
    const [a, b] = [await open('10.00'), await open('0')];
    expect(JSON.parse((await send({ from: a.id, to: b.id, amount: '10.01' })).text)).toMatchObject({ status: 422, type: '/problems/insufficient-funds', balance: '10.00', requested: '10.01' });
    expect(JSON.parse((await send({ from: a.id, to: a.id, amount: '1.00' })).text)).toMatchObject({ status: 422, type: '/problems/same-account' });
    const missing = randomUUID();
    expect(JSON.parse((await send({ from: a.id, to: missing, amount: '1.00' })).text)).toMatchObject({ status: 404, type: '/problems/account-not-found', accountId: missing });
    expect(JSON.parse((await send({ from: 'x', to: b.id, amount: '1.00' })).text)).toMatchObject({ status: 422, detail: expect.stringMatching(/from must be an account id/) });
    expect(JSON.parse((await send({ from: a.id, to: b.id, amount: 1 })).text)).toMatchObject({ status: 422, detail: expect.stringMatching(/amount must be a decimal string/) });
    expect(JSON.parse((await send({ from: a.id, to: b.id })).text)).toMatchObject({ status: 422 });
    const balances = await Promise.all([a.id, b.id].map(async (id) => (await (await account.GET(get(`/api/accounts/${id}`), params(id))).json()) as { balance: string }));
    expect(balances.map((x) => x.balance)).toEqual(['10.00', '0.00']);
  });
});
