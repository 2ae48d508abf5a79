import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as accounts from '@/app/api/accounts/route';
import { auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { signUp, appDatabase } from '@/test/auth';

// A state-changing API request is compared by its full origin (scheme, host, port)
// with the configured APP_ORIGIN (plus IDEM_TRUSTED_ORIGINS), never with the Host or X-Forwarded-Host
// the request itself carries; with a session cookie a missing Origin is refused, with an API key it
// is not needed.

const APP_ORIGIN = 'https://bank.example';
let cookie: string;
let apiKey: string;

appDatabase();
beforeAll(async () => {
  const customer = await signUp(auth());
  cookie = customer.cookie;
  apiKey = (await auth().api.createApiKey({ body: { name: 'origin test' }, headers: new Headers({ cookie }) })).key;
});
afterEach(() => vi.unstubAllEnvs());

async function open(headers: Record<string, string>) {
  vi.stubEnv('APP_ORIGIN', APP_ORIGIN);
  const key = randomUUID();
  const response = await accounts.POST(
    new Request('https://bank.example/api/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'bank.example', 'idempotency-key': key, ...headers },
      body: JSON.stringify({ name: 'Origin test' }),
    }),
  );
  const stored = await db().command.count({ where: { commandId: { endsWith: `:${key}` } } });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as { type?: string; detail?: string },
    stored,
  };
}

describe('origin of state-changing API requests (session cookie)', () => {
  it('accepts the configured origin', async () => {
    expect(await open({ cookie, origin: APP_ORIGIN })).toMatchObject({ status: 201, stored: 1 });
  });

  it.each([
    ['no Origin at all', {}],
    ['the right host on another scheme', { origin: 'http://bank.example' }],
    ['the right host on another port', { origin: 'https://bank.example:8443' }],
    ['an origin that matches the forged Host header', { origin: 'https://evil.example', host: 'evil.example' }],
    [
      'an origin that matches a forged X-Forwarded-Host',
      { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' },
    ],
    ['a subdomain', { origin: 'https://www.bank.example' }],
  ])('refuses %s with 403 problem+json and stores nothing', async (_name, headers) => {
    const reply = await open({ cookie, ...headers });
    expect(reply).toMatchObject({
      status: 403,
      type: 'application/problem+json',
      body: { type: '/problems/cross-site-request' },
      stored: 0,
    });
  });

  it('accepts an origin listed in IDEM_TRUSTED_ORIGINS', async () => {
    vi.stubEnv('IDEM_TRUSTED_ORIGINS', 'https://www.bank.example');
    expect(await open({ cookie, origin: 'https://www.bank.example' })).toMatchObject({ status: 201, stored: 1 });
  });
});

describe('origin of state-changing API requests (API key)', () => {
  it('needs no Origin', async () => {
    expect(await open({ authorization: `Bearer ${apiKey}` })).toMatchObject({ status: 201, stored: 1 });
  });

  it('still refuses a foreign one', async () => {
    const reply = await open({
      authorization: `Bearer ${apiKey}`,
      origin: 'https://evil.example',
      host: 'evil.example',
    });
    expect(reply).toMatchObject({ status: 403, body: { type: '/problems/cross-site-request' }, stored: 0 });
  });
});
