import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { auth } from '@/lib/auth/auth';
import type { components } from '@/lib/http/openapi-types';
import { signUp } from '@/test/auth';
import { answerText, typedApi } from '@/test/typed-api';

// The JSON API called in-process (route handlers are plain functions of a Request) through the typed
// client generated from the OpenAPI document (test/typed-api.ts), as one customer holding an API key.
// Tests that need two customers make two callers. Bodies are `unknown` here: the tests also send
// invalid ones, which the route must refuse.

export type Reply = { status: number; type: string | null; replayed: string | null; text: string };
export type OpenedAccount = components['schemas']['Account'];
type Schemas = components['schemas'];

/** A raw route answer, read as a Reply. */
export async function read(response: Response): Promise<Reply> {
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    replayed: response.headers.get('idempotent-replayed'),
    text: await response.text(),
  };
}

const reply = async ({ response }: { response: Response }): Promise<Reply> => ({
  status: response.status,
  type: response.headers.get('content-type'),
  replayed: response.headers.get('idempotent-replayed'),
  text: answerText(response),
});

/** A new customer (signed up through better-auth) with an API key, and the API as they see it. */
export async function apiCustomer(name = 'Ada Lovelace') {
  const customer = await signUp(auth(), { name });
  const { key } = await auth().api.createApiKey({
    body: { name: 'integration test' },
    headers: new Headers({ cookie: customer.cookie }),
  });
  const api = typedApi({ authorization: `Bearer ${key}`, host: '127.0.0.1:3000' });
  // A null key sends none (the route must answer 400).
  const idempotency = (key: string | null) =>
    (key === null ? {} : { 'Idempotency-Key': key }) as { 'Idempotency-Key': string };

  return {
    id: customer.id,
    apiKey: key,
    cookie: customer.cookie,
    api,
    async open(deposit = '100.00', name = 'Everyday'): Promise<OpenedAccount> {
      const { data, response } = await api.POST('/api/accounts', {
        params: { header: idempotency(randomUUID()) },
        body: { name, openingDeposit: deposit },
      });
      expect(response.status).toBe(201);
      return data!;
    },
    withdraw: (id: string, body: unknown, key: string | null = randomUUID(), headers: Record<string, string> = {}) =>
      api
        .POST('/api/accounts/{accountId}/withdrawals', {
          params: { path: { accountId: id }, header: idempotency(key) },
          body: body as Schemas['MoneyMovementRequest'],
          headers,
        })
        .then(reply),
    deposit: (id: string, body: unknown, key: string | null = randomUUID()) =>
      api
        .POST('/api/accounts/{accountId}/deposits', {
          params: { path: { accountId: id }, header: idempotency(key) },
          body: body as Schemas['MoneyMovementRequest'],
        })
        .then(reply),
    transfer: (body: unknown, key: string = randomUUID()) =>
      api
        .POST('/api/transfers', { params: { header: idempotency(key) }, body: body as Schemas['TransferRequest'] })
        .then(reply),
    account: (id: string) => api.GET('/api/accounts/{accountId}', { params: { path: { accountId: id } } }).then(reply),
    /** `query`: a raw query string ("?limit=2"), sent as it is (tests send malformed ones too). */
    events: (id: string, query = '') =>
      api
        .GET('/api/accounts/{accountId}/events', {
          params: { path: { accountId: id } },
          querySerializer: () => query.replace(/^\?/, ''),
        })
        .then(reply),
    list: async () => {
      const { data, response } = await api.GET('/api/accounts');
      expect(response.status).toBe(200);
      return data!.accounts;
    },
  };
}

export type ApiCustomer = Awaited<ReturnType<typeof apiCustomer>>;
