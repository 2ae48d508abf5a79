// Sign-out and revocation hold on every instance: sessions and API keys live in PostgreSQL, and what an
// instance remembers of them (lib/auth/verdict-cache.ts) is forgotten when PostgreSQL notifies the
// change, milliseconds after the revoking commit. So the check waits for every instance to refuse
// (polling, no sleep); test/auth-invalidation.cluster.test.ts waits for the notification itself and
// reports the delay.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpVerified } from './api-client';
import { startCluster, type Cluster } from './cluster';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ instances: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

/** A fresh customer signed up on instance 0: their session cookie and the headers of a browser on that origin. */
async function signUp() {
  const url = cluster.urls()[0]!;
  const headers = {
    'content-type': 'application/json',
    origin: url,
    'x-forwarded-for': `10.78.${randomBytes(1)[0]}.${(randomBytes(1)[0]! % 250) + 1}`,
  };
  const { cookie } = await signUpVerified(url, headers, {
    name: 'Revoked Customer',
    email: `revoke-${randomBytes(6).toString('hex')}@example.test`,
    password: randomBytes(12).toString('hex'),
  });
  return { url, headers: { ...headers, cookie } };
}

/** GET /api/accounts on every instance with these headers: the statuses, instance by instance. */
const everywhere = (headers: Record<string, string>) =>
  Promise.all(cluster.urls().map(async (url) => (await fetch(`${url}/api/accounts`, { headers })).status));

describe('revocation across a 3-instance cluster', () => {
  it('a revoked API key gets 401 on every instance', async () => {
    const customer = await signUp();
    const created = await fetch(`${customer.url}/api/auth/api-key/create`, {
      method: 'POST',
      headers: customer.headers,
      body: JSON.stringify({ name: 'to revoke' }),
    });
    expect(created.status).toBe(200);
    const { id, key } = (await created.json()) as { id: string; key: string };
    const bearer = { authorization: `Bearer ${key}` };
    expect(await everywhere(bearer)).toEqual([200, 200, 200]); // each instance has verified (and could have cached) it

    const revoked = await fetch(`${customer.url}/api/auth/api-key/delete`, {
      method: 'POST',
      headers: customer.headers,
      body: JSON.stringify({ keyId: id }),
    });
    expect(revoked.status).toBe(200);
    await expect.poll(() => everywhere(bearer), { interval: 5 }).toEqual([401, 401, 401]);
  });

  it('after sign-out the old session cookie gets 401 on every instance', async () => {
    const customer = await signUp();
    const cookieOnly = { cookie: customer.headers.cookie };
    expect(await everywhere(cookieOnly)).toEqual([200, 200, 200]);
    const signedOut = await fetch(`${customer.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: customer.headers,
      body: '{}',
    });
    expect(signedOut.status).toBe(200);
    await expect.poll(() => everywhere(cookieOnly), { interval: 5 }).toEqual([401, 401, 401]);
  });
});
