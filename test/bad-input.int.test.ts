import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import * as withdrawals from '@/app/api/accounts/[accountId]/withdrawals/route';
import * as transfers from '@/app/api/transfers/route';
import { auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { signUp, appDatabase } from '@/test/auth';
import { snapshotTables } from '@/test/db';
import { API_KEY_BOOKKEEPING } from '@/test/table-dump';

// Bad input gets a specific 4xx problem and changes nothing: the whole database (every table, listed
// from information_schema) is compared before and after every case (this file has a database of its
// own, so nothing else writes to it). Only the API key's usage bookkeeping may move.

let accountId: string;
let accountNumber: string;
let before: Record<string, string>;
let authorization: string;

appDatabase();
beforeAll(async () => {
  const customer = await signUp(auth());
  authorization = `Bearer ${(await auth().api.createApiKey({ body: { name: 'bad-input' }, headers: new Headers({ cookie: customer.cookie }) })).key}`;
  const response = await accounts.POST(request('/api/accounts', { name: 'Matrix', openingDeposit: '100.00' }));
  ({ id: accountId, accountNumber } = (await response.json()) as { id: string; accountNumber: string });
  before = await snapshotTables(db(), API_KEY_BOOKKEEPING);
});

type Case = {
  name: string;
  status: number;
  type: string;
  detail?: RegExp;
  path?: string;
  body?: unknown;
  headers?: Record<string, string | null>;
};

function request(path: string, body: unknown, headers: Record<string, string | null> = {}) {
  const merged: Record<string, string | null> = {
    'content-type': 'application/json',
    host: '127.0.0.1:3000',
    'idempotency-key': randomUUID(),
    authorization,
    ...headers,
  };
  const clean = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== null));
  return new Request(`http://127.0.0.1:3000${path}`, {
    method: 'POST',
    headers: clean,
    body:
      body instanceof Uint8Array
        ? new Blob([body as Uint8Array<ArrayBuffer>])
        : typeof body === 'string'
          ? body
          : JSON.stringify(body),
  });
}

const amountCases: [string, unknown, RegExp][] = [
  ['a JSON number', 12.34, /decimal string .*"12\.34".*not a JSON number/],
  ['letters', 'abc', /decimal string/],
  ['a negative amount', '-5', /decimal string/],
  ['zero', '0', /greater than zero/],
  ['zero with decimals', '0.00', /greater than zero/],
  ['three decimals', '1.234', /decimal string/],
  ['an exponent', '1e3', /decimal string/],
  ['NaN', 'NaN', /decimal string/],
  ['an empty string', '', /decimal string/],
  ['spaces', '  ', /decimal string/],
  ['too large', '99999999999', /at most \$1,000,000\.00/],
  ['just over the limit', '1000000.01', /at most \$1,000,000\.00/],
  ['thousands separators', '1,000.00', /decimal string/],
  ['surrounding whitespace', ' 12.00', /decimal string/],
  ['a dollar sign', '$5', /decimal string/],
  ['null', null, /not a JSON null/],
  ['a boolean', true, /not a JSON boolean/],
  ['HTML', '<b>5</b>', /decimal string/],
];

const cases: Case[] = [
  ...amountCases.map(([name, amount, detail]): Case => ({
    name: `amount: ${name}`,
    status: 422,
    type: 'validation-failed',
    detail,
    body: { amount },
  })),
  { name: 'missing amount', status: 422, type: 'validation-failed', detail: /amount/, body: {} },
  {
    name: 'unknown field',
    status: 422,
    type: 'validation-failed',
    detail: /unknown field\(s\): amout/,
    body: { amount: '1.00', amout: '1.00' },
  },
  {
    name: 'a JSON array body',
    status: 422,
    type: 'validation-failed',
    detail: /JSON object/,
    body: [{ amount: '1.00' }],
  },
  { name: 'a JSON string body', status: 422, type: 'validation-failed', detail: /JSON object/, body: '"1.00"' },
  { name: 'invalid JSON', status: 400, type: 'invalid-request', detail: /not valid JSON/, body: '{"amount": "1.00"' },
  { name: 'an empty body', status: 400, type: 'invalid-request', detail: /empty/, body: '' },
  {
    name: 'invalid UTF-8',
    status: 400,
    type: 'invalid-request',
    detail: /UTF-8/,
    body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  },
  {
    name: 'no Idempotency-Key',
    status: 400,
    type: 'invalid-idempotency-key',
    detail: /missing/,
    body: { amount: '1.00' },
    headers: { 'idempotency-key': null },
  },
  {
    name: 'an empty Idempotency-Key',
    status: 400,
    type: 'invalid-idempotency-key',
    detail: /malformed/,
    body: { amount: '1.00' },
    headers: { 'idempotency-key': '""' },
  },
  {
    name: 'a 256-character key',
    status: 400,
    type: 'invalid-idempotency-key',
    body: { amount: '1.00' },
    headers: { 'idempotency-key': 'k'.repeat(256) },
  },
  {
    name: 'a key with spaces',
    status: 400,
    type: 'invalid-idempotency-key',
    body: { amount: '1.00' },
    headers: { 'idempotency-key': 'two words' },
  },
  {
    name: 'a non-ASCII key',
    status: 400,
    type: 'invalid-idempotency-key',
    body: { amount: '1.00' },
    headers: { 'idempotency-key': 'cl\u00e9' },
  },
  {
    name: 'text/plain',
    status: 415,
    type: 'unsupported-media-type',
    detail: /text\/plain/,
    body: '{"amount":"1.00"}',
    headers: { 'content-type': 'text/plain' },
  },
  {
    name: 'no content type',
    status: 415,
    type: 'unsupported-media-type',
    body: '{"amount":"1.00"}',
    headers: { 'content-type': null },
  },
  {
    name: 'a form post',
    status: 415,
    type: 'unsupported-media-type',
    body: 'amount=1.00',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  },
  {
    name: 'a body over 16 KiB',
    status: 413,
    type: 'payload-too-large',
    body: { amount: '1.00', pad: 'x'.repeat(17_000) },
  },
  {
    name: 'a lying Content-Length',
    status: 413,
    type: 'payload-too-large',
    body: { amount: '1.00', pad: 'x'.repeat(17_000) },
    headers: { 'content-length': '20' },
  },
  {
    name: 'another Origin',
    status: 403,
    type: 'cross-site-request',
    detail: /^Requests from another origin are not allowed/,
    body: { amount: '1.00' },
    headers: { origin: 'https://evil.example' },
  },
  {
    name: 'Origin: null',
    status: 403,
    type: 'cross-site-request',
    body: { amount: '1.00' },
    headers: { origin: 'null' },
  },
  {
    name: 'Sec-Fetch-Site: cross-site',
    status: 403,
    type: 'cross-site-request',
    body: { amount: '1.00' },
    headers: { 'sec-fetch-site': 'cross-site' },
  },
  {
    name: 'a malformed account id',
    status: 404,
    type: 'account-not-found',
    path: '/api/accounts/1%27%20OR%201=1/withdrawals',
    body: { amount: '1.00' },
  },
  {
    name: 'open: empty name',
    status: 422,
    type: 'validation-failed',
    detail: /^name must not be empty$/,
    path: '/api/accounts',
    body: { name: '   ' },
  },
  {
    name: 'open: name too long',
    status: 422,
    type: 'validation-failed',
    detail: /^name must be at most 80/,
    path: '/api/accounts',
    body: { name: 'x'.repeat(81) },
  },
  {
    name: 'open: name not a string',
    status: 422,
    type: 'validation-failed',
    detail: /^name must be a string$/,
    path: '/api/accounts',
    body: { name: 42 },
  },
  {
    name: 'open: deposit as a number',
    status: 422,
    type: 'validation-failed',
    detail: /openingDeposit must be a decimal string/,
    path: '/api/accounts',
    body: { name: 'A', openingDeposit: 100 },
  },
  {
    name: 'no credentials',
    status: 401,
    type: 'unauthorized',
    detail: /Bearer/,
    body: { amount: '1.00' },
    headers: { authorization: null },
  },
  {
    name: 'an unknown API key',
    status: 401,
    type: 'unauthorized',
    detail: /invalid, expired or revoked/,
    body: { amount: '1.00' },
    headers: { authorization: 'Bearer idem_0000' },
  },
  {
    name: 'not a Bearer credential',
    status: 401,
    type: 'unauthorized',
    detail: /invalid, expired or revoked/,
    body: { amount: '1.00' },
    headers: { authorization: 'Basic dXNlcjpwYXNz' },
  },
  {
    name: 'a forged session cookie',
    status: 401,
    type: 'unauthorized',
    body: { amount: '1.00' },
    headers: { authorization: null, cookie: 'idem.session_token=forged.value' },
  },
  {
    name: 'open: no credentials',
    status: 401,
    type: 'unauthorized',
    path: '/api/accounts',
    body: { name: 'A' },
    headers: { authorization: null },
  },
  {
    name: 'open: the old owner field',
    status: 422,
    type: 'validation-failed',
    detail: /unknown field\(s\): owner/,
    path: '/api/accounts',
    body: { name: 'A', owner: 'A' },
  },
  {
    name: 'open: negative deposit',
    status: 422,
    type: 'validation-failed',
    path: '/api/accounts',
    body: { name: 'A', openingDeposit: '-1.00' },
  },
];

describe('bad input changes nothing', () => {
  it.each(cases)('$name → $status $type', async (c) => {
    const path = c.path ?? `/api/accounts/${accountId}/withdrawals`;
    const req = request(path, c.body, c.headers);
    const response =
      path === '/api/accounts'
        ? await accounts.POST(req)
        : await withdrawals.POST(req, {
            params: Promise.resolve({ accountId: decodeURIComponent(path.split('/')[3]!) }),
          });
    expect(response.status).toBe(c.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as { type: string; status: number; detail: string };
    expect(body).toMatchObject({ type: `/problems/${c.type}`, status: c.status });
    if (c.detail) expect(body.detail).toMatch(c.detail);
    // A credential that was sent and refused is an invalid token (RFC 6750); none at all is just a challenge.
    if (c.status === 401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="idem"(, error="invalid_token")?$/);
    expect(await snapshotTables(db(), API_KEY_BOOKKEEPING)).toEqual(before);
  });

  it(`covers at least 30 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it("compares every table, not only the ledger's four", () => {
    const ledger = ['events', 'commands', 'account_balances', 'account_transactions'];
    const others = [
      'users',
      'sessions',
      'api_keys',
      'rate_limits',
      'snapshots',
      'projection_checkpoints',
      'daily_account_totals',
    ];
    expect(Object.keys(before)).toEqual(expect.arrayContaining([...ledger, ...others]));
  });
});

describe('bad transfer input changes nothing', () => {
  const transfer = (body: (from: string, to: string) => unknown) =>
    transfers.POST(request('/api/transfers', body(accountId, accountNumber)));
  const mistyped = (number: string) => number.slice(0, 4) + String((Number(number[4]) + 1) % 10) + number.slice(5);
  const transferCases: [string, (from: string, to: string) => unknown, RegExp][] = [
    [
      'a mistyped account number (one digit changed)',
      (from, to) => ({ from, toAccountNumber: mistyped(to), amount: '1.00' }),
      /^toAccountNumber is not a valid account number/,
    ],
    [
      'an account number too short',
      (from) => ({ from, toAccountNumber: '1234', amount: '1.00' }),
      /^toAccountNumber must be 12 digits$/,
    ],
    [
      'an account number as a JSON number',
      (from, to) => ({ from, toAccountNumber: Number(to), amount: '1.00' }),
      /^toAccountNumber must be an account number/,
    ],
    ['the old "to" field (an account id)', (from) => ({ from, to: from, amount: '1.00' }), /unknown field\(s\): to/],
  ];
  it.each(transferCases)('%s → 422 naming the field', async (_, body, detail) => {
    const response = await transfer(body);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      type: '/problems/validation-failed',
      detail: expect.stringMatching(detail),
    });
    expect(await snapshotTables(db(), API_KEY_BOOKKEEPING)).toEqual(before);
  });
});

describe('hostile owner names are data, stored verbatim', () => {
  it('keeps SQL and HTML in the owner name as text', async () => {
    const name = `Robert'); DROP TABLE events;-- <script>alert(1)</script>`;
    const response = await accounts.POST(request('/api/accounts', { name }));
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ name });
    expect(await db().event.count()).toBeGreaterThan(0);
  });
});
