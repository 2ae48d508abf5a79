// A TypeScript client of a running Idem, typed from its OpenAPI document (typechecked with the project).
//
//   npm install openapi-fetch
//   npx openapi-typescript http://localhost:3000/api/openapi.json -o idem-api.ts   (or use lib/http/openapi-types.ts)
//   IDEM_URL=http://localhost:3000 IDEM_API_KEY=<key from /settings/api-keys> npx tsx docs/examples/typescript-client.ts
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { paths } from '../../lib/http/openapi-types';

const idem = createClient<paths>({
  baseUrl: process.env.IDEM_URL ?? 'http://localhost:3000',
  headers: { authorization: `Bearer ${process.env.IDEM_API_KEY}` },
});

// Every command carries an Idempotency-Key: keep it until you have an answer, and retry with it.
const opened = await idem.POST('/api/accounts', {
  params: { header: { 'Idempotency-Key': randomUUID() } },
  body: { name: 'Everyday', openingDeposit: '100.00' },
});
if (!opened.data) throw new Error(`${opened.response.status}: ${opened.error?.detail}`);
const account = opened.data;

const key = randomUUID();
const withdraw = () =>
  idem.POST('/api/accounts/{accountId}/withdrawals', {
    params: { path: { accountId: account.id }, header: { 'Idempotency-Key': key } },
    body: { amount: '12.34' },
  });
const first = await withdraw();
const retry = await withdraw(); // applied once: the same answer, marked as a replay
console.log(first.data?.balance, retry.data?.balance, retry.response.headers.get('Idempotent-Replayed')); // 87.66 87.66 true

// Errors are problem details: branch on `type`.
const tooMuch = await idem.POST('/api/accounts/{accountId}/withdrawals', {
  params: { path: { accountId: account.id }, header: { 'Idempotency-Key': randomUUID() } },
  body: { amount: '1000.00' },
});
if (tooMuch.error?.type === '/problems/insufficient-funds') console.log(tooMuch.error.detail);
