// Against two `next start` instances of the production build on one
// PostgreSQL: the client address comes from TRUSTED_PROXIES' hop only (a forged X-Forwarded-For
// buys no fresh rate-limit bucket), server actions are held to the configured origin, and the
// per-key and per-customer API budgets hold across instances (429 with Retry-After).
// IDEM_TEST_BASE_PORT pins the ports (base+60, base+61); default free ports.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';

const KEY_LIMIT = 6;
const CUSTOMER_LIMIT = 10;

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({
    instances: 2,
    basePort: process.env.IDEM_TEST_BASE_PORT ? Number(process.env.IDEM_TEST_BASE_PORT) + 60 : undefined, // base+60, base+61
    env: {
      // Nobody on this machine is a trusted proxy: X-Forwarded-For from the test is a forgery.
      TRUSTED_PROXIES: '192.0.2.1',
      IDEM_API_KEY_RATE_LIMIT: `${KEY_LIMIT}/600`,
      IDEM_CUSTOMER_RATE_LIMIT: `${CUSTOMER_LIMIT}/600`,
    },
  });
});
afterAll(async () => {
  await cluster?.stop();
});

const url = (i: number) => cluster.urls()[i]!;
const forged = () => `10.66.${randomBytes(1)[0]}.${(randomBytes(1)[0]! % 250) + 1}`;

describe('client address (TRUSTED_PROXIES)', () => {
  it('a forged X-Forwarded-For from an untrusted peer is ignored: sign-in attempts share the socket’s bucket', async () => {
    const statuses: number[] = [];
    // One email: its guesses are counted per (email, network of the client address). Were the forged
    // addresses believed, each would be a network of its own and no guess would be refused.
    const email = `nobody-${randomBytes(6).toString('hex')}@example.test`;
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${url(i % 2)}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url(i % 2), 'x-forwarded-for': forged() },
        body: JSON.stringify({
          email,
          password: 'wrong password',
        }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    // Five guesses per email per client network per 15 minutes (lib/auth/rate-limits.ts), whichever instance.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('server actions (proxy.ts)', () => {
  it('a POST to a page is refused unless its Origin is the configured one in full', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${url(0)}/sign-in`, {
        method: 'POST',
        headers: { 'next-action': '0'.repeat(42), 'content-type': 'text/plain', ...headers },
        body: '[]',
      });
    const otherScheme = await post({ origin: url(0).replace('http:', 'https:') });
    expect(otherScheme.status).toBe(403);
    expect(await otherScheme.text()).toMatch(
      /^Forbidden: this form was sent from another site, or without its origin\./,
    );
    const noOriginWithSession = await post({ cookie: 'idem.session_token=anything' });
    expect(noOriginWithSession.status).toBe(403);
    const own = await post({ origin: url(0) });
    await own.arrayBuffer();
    expect(own.status).not.toBe(403); // past the origin checks: Next answers the unknown action itself
  });
});

describe('API budgets across two instances', () => {
  const list = (i: number, authorization: string) => fetch(`${url(i)}/api/accounts`, { headers: { authorization } });

  it(`one API key: ${KEY_LIMIT} requests per window whichever instance serves them, then 429 with Retry-After`, async () => {
    const { authorizations } = await signUpApiCustomer(url(0), 'key budget');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < KEY_LIMIT + 2; i++) {
      const response = await list(i % 2, authorizations[0]!);
      await response.arrayBuffer();
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get('retry-after');
    }
    expect(statuses).toEqual([...Array<number>(KEY_LIMIT).fill(200), 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it(`one customer with three keys: ${CUSTOMER_LIMIT} requests in all, then 429 problem+json with Retry-After on both instances`, async () => {
    const { authorizations } = await signUpApiCustomer(url(1), 'customer budget', 3);
    const statuses: number[] = [];
    const refusals: { instance: number; type: string | null; retryAfter: string | null; body: { type?: string } }[] =
      [];
    for (let i = 0; i < CUSTOMER_LIMIT + 2; i++) {
      const instance = i % 2;
      const response = await list(instance, authorizations[i % 3]!);
      statuses.push(response.status);
      if (response.status === 429)
        refusals.push({
          instance,
          type: response.headers.get('content-type'),
          retryAfter: response.headers.get('retry-after'),
          body: (await response.json()) as { type?: string },
        });
      else await response.arrayBuffer();
    }
    expect(statuses).toEqual([...Array<number>(CUSTOMER_LIMIT).fill(200), 429, 429]);
    expect(refusals.map((r) => r.instance).sort()).toEqual([0, 1]);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({
        type: 'application/problem+json',
        body: { type: '/problems/too-many-requests' },
      });
      expect(Number(refusal.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refusal.retryAfter)).toBeLessThanOrEqual(600);
    }
  });
});
