import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import * as account from '@/app/api/accounts/[accountId]/route';
import * as deposits from '@/app/api/accounts/[accountId]/deposits/route';
import * as withdrawals from '@/app/api/accounts/[accountId]/withdrawals/route';
import * as events from '@/app/api/accounts/[accountId]/events/route';
import * as transfers from '@/app/api/transfers/route';
import { auth } from '@/lib/auth/auth';
import { signUp } from '@/test/auth';

// The JSON API called in-process (route handlers are plain functions of a Request), as one customer
// holding an API key. Tests that need two customers make two callers.

const BASE = 'http://127.0.0.1:3000';
const params = (accountId: string) => ({ params: Promise.resolve({ accountId }) });

export type Reply = { status: number; type: string | null; replayed: string | null; text: string };
export type OpenedAccount = { id: string; accountNumber: string; name: string; balance: string; version: number };

export async function read(response: Response): Promise<Reply> {
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    replayed: response.headers.get('idempotent-replayed'),
    text: await response.text(),
  };
}

/** A new customer (signed up through better-auth) with an API key, and the API as they see it. */
export async function apiCustomer(name = 'Ada Lovelace') {
  const customer = await signUp(auth(), { name });
  const { key } = await auth().api.createApiKey({ body: { name: 'integration test' }, headers: new Headers({ cookie: customer.cookie }) });
  const credentials = { authorization: `Bearer ${key}` };

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: '127.0.0.1:3000', ...credentials, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string) => new Request(`${BASE}${path}`, { headers: credentials });
  const keyHeader = (key: string | null): Record<string, string> => (key === null ? {} : { 'idempotency-key': key });

  return {
    id: customer.id,
    apiKey: key,
    cookie: customer.cookie,
    async open(deposit = '100.00', name = 'Everyday'): Promise<OpenedAccount> {
      const response = await accounts.POST(post('/api/accounts', { name, openingDeposit: deposit }, keyHeader(randomUUID())));
      expect(response.status).toBe(201);
      return (await response.json()) as OpenedAccount;
    },
    withdraw: (id: string, body: unknown, key: string | null = randomUUID(), headers: Record<string, string> = {}) =>
      withdrawals.POST(post(`/api/accounts/${id}/withdrawals`, body, { ...keyHeader(key), ...headers }), params(id)).then(read),
    deposit: (id: string, body: unknown, key: string | null = randomUUID()) =>
      deposits.POST(post(`/api/accounts/${id}/deposits`, body, keyHeader(key)), params(id)).then(read),
    transfer: (body: unknown, key: string = randomUUID()) => transfers.POST(post('/api/transfers', body, keyHeader(key))).then(read),
    account: (id: string) => account.GET(get(`/api/accounts/${id}`), params(id)).then(read),
    events: (id: string, query = '') => events.GET(get(`/api/accounts/${id}/events${query}`), params(id)).then(read),
    list: async () =>
      (JSON.parse((await accounts.GET(get('/api/accounts')).then(read)).text) as { accounts: { id: string; accountNumber: string }[] }).accounts,
  };
}

export type ApiCustomer = Awaited<ReturnType<typeof apiCustomer>>;
