// Instances remember verified API keys and sessions (lib/auth/verdict-cache.ts). A revoked key, a
// signed-out session and a disabled customer must still be refused on every instance: the change
// is written on instance 0, PostgreSQL notifies, and instance 1 — which had just served the same
// credentials from memory — refuses the next request once the notification is delivered. The test
// waits for the delivery (instance 1's idem_auth_invalidations_total), never for a time, and prints
// how long it took.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUpVerified } from './api-client';
import { startCluster, type Cluster } from './cluster';

const METRICS_TOKEN = 'metrics-token-for-the-invalidation-test';
let cluster: Cluster;
const delays: Record<string, { delivered: number; refused: number }> = {};

beforeAll(async () => {
  cluster = await startCluster({ instances: 2, env: { METRICS_TOKEN, IDEM_AUTH_CACHE_SECONDS: '30' } });
});
afterAll(async () => {
  console.log(`invalidation delays (ms, from the revoking answer): ${JSON.stringify(delays)}`);
  await cluster?.stop();
});

async function invalidations(index: number): Promise<number> {
  const response = await fetch(`${cluster.urls()[index]}/api/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const line = (await response.text()).split('\n').find((l) => l.startsWith('idem_auth_invalidations_total '));
  return Number(line?.split(' ')[1] ?? 0);
}

async function signUp() {
  const url = cluster.urls()[0]!;
  const headers = {
    'content-type': 'application/json',
    origin: url,
    'x-forwarded-for': `10.79.${randomBytes(1)[0]}.${(randomBytes(1)[0]! % 250) + 1}`,
  };
  const { id, cookie } = await signUpVerified(url, headers, {
    name: 'Cached Customer',
    email: `cached-${randomBytes(6).toString('hex')}@example.test`,
    password: randomBytes(12).toString('hex'),
  });
  const created = await fetch(`${url}/api/auth/api-key/create`, {
    method: 'POST',
    headers: { ...headers, cookie },
    body: JSON.stringify({ name: 'remembered' }),
  });
  expect(created.status).toBe(200);
  const { id: keyId, key } = (await created.json()) as { id: string; key: string };
  return { id, url, headers: { ...headers, cookie }, keyId, bearer: { authorization: `Bearer ${key}` } };
}

const status = async (index: number, headers: Record<string, string>) =>
  (await fetch(`${cluster.urls()[index]}/api/accounts`, { headers })).status;

/** Both instances serve `headers` (twice: the second answer comes from memory); `revoke` on instance 0; then instance 1 refuses. */
async function expectRefusedOnBoth(name: string, headers: Record<string, string>, revoke: () => Promise<void>) {
  for (const index of [0, 1, 0, 1]) expect(await status(index, headers)).toBe(200);
  const before = await invalidations(1);
  await revoke();
  const revokedAt = performance.now();
  await vi.waitFor(async () => expect(await invalidations(1)).toBeGreaterThan(before), {
    timeout: 10_000,
    interval: 5,
  });
  const delivered = performance.now() - revokedAt;
  expect(await status(1, headers)).toBe(401);
  delays[name] = { delivered: Math.round(delivered), refused: Math.round(performance.now() - revokedAt) };
  expect(await status(0, headers)).toBe(401);
}

describe('revocation reaches an instance that remembered the credentials', () => {
  it('a revoked API key', async () => {
    const customer = await signUp();
    await expectRefusedOnBoth('api key revoked', customer.bearer, async () => {
      const revoked = await fetch(`${customer.url}/api/auth/api-key/delete`, {
        method: 'POST',
        headers: customer.headers,
        body: JSON.stringify({ keyId: customer.keyId }),
      });
      expect(revoked.status).toBe(200);
    });
  });

  it('a signed-out session', async () => {
    const customer = await signUp();
    await expectRefusedOnBoth('session signed out', { cookie: customer.headers.cookie }, async () => {
      const signedOut = await fetch(`${customer.url}/api/auth/sign-out`, {
        method: 'POST',
        headers: customer.headers,
        body: '{}',
      });
      expect(signedOut.status).toBe(200);
    });
  });

  it('a disabled customer: their key and their (still stored) session', async () => {
    const customer = await signUp();
    for (const index of [0, 1]) expect(await status(index, { cookie: customer.headers.cookie })).toBe(200);
    // The ban flag alone (sessions left in place, as other tooling might): the stricter case.
    await expectRefusedOnBoth('customer disabled', customer.bearer, async () => {
      const sql = new pg.Client({ connectionString: cluster.postgres.ownerUrl });
      await sql.connect();
      await sql.query(`UPDATE users SET banned = true, ban_reason = 'test' WHERE id = $1`, [customer.id]);
      await sql.end();
    });
    for (const index of [0, 1]) expect(await status(index, { cookie: customer.headers.cookie })).toBe(401);
  });
});
