// The per-key and per-customer request budgets hold across instances: two instances, remembering the
// key (lib/auth/verdict-cache.ts) and taking both budgets in one statement (lib/http/api-limits.ts),
// serve one customer's keys at the same time. The budgets are counted in PostgreSQL, so what the two
// serve together stays within the limit; the test allows the 10 % and prints the overshoot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';

const PER_KEY = 40;
const PER_CUSTOMER = 60;
let cluster: Cluster;
const overshoot: Record<string, string> = {};

beforeAll(async () => {
  cluster = await startCluster({
    instances: 2,
    env: {
      IDEM_AUTH_CACHE_SECONDS: '30',
      IDEM_API_KEY_RATE_LIMIT: `${PER_KEY}/3600`,
      IDEM_CUSTOMER_RATE_LIMIT: `${PER_CUSTOMER}/3600`,
    },
  });
});
afterAll(async () => {
  console.log(`budget overshoot across 2 instances: ${JSON.stringify(overshoot)}`);
  await cluster?.stop();
});

/** `count` GETs per authorization, spread over both instances, 8 at a time: the statuses. */
async function burst(authorizations: string[], count: number): Promise<number[]> {
  const jobs = authorizations.flatMap((authorization) =>
    Array.from({ length: count }, (_, i) => ({ authorization, url: cluster.urls()[i % 2]! })),
  );
  const statuses: number[] = [];
  for (let i = 0; i < jobs.length; i += 8)
    statuses.push(
      ...(await Promise.all(
        jobs.slice(i, i + 8).map(async (job) => {
          const response = await fetch(`${job.url}/api/accounts`, { headers: { authorization: job.authorization } });
          await response.arrayBuffer();
          return response.status;
        }),
      )),
    );
  return statuses;
}

describe('request budgets across 2 instances', () => {
  it(`one key: at most ${PER_KEY} requests served, the rest 429`, async () => {
    const customer = await signUpApiCustomer(cluster.urls()[0]!, 'budget one key');
    const statuses = await burst(customer.authorizations, PER_KEY * 2);
    const served = statuses.filter((s) => s === 200).length;
    overshoot.perKey = `${served} of ${PER_KEY} (${(((served - PER_KEY) / PER_KEY) * 100).toFixed(1)} %)`;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(served).toBeGreaterThanOrEqual(PER_KEY);
    expect(served).toBeLessThanOrEqual(PER_KEY * 1.1);
  });

  it(`three keys of one customer: at most ${PER_CUSTOMER} requests served together`, async () => {
    const customer = await signUpApiCustomer(cluster.urls()[1]!, 'budget three keys', 3);
    const statuses = await burst(customer.authorizations, PER_KEY);
    const served = statuses.filter((s) => s === 200).length;
    overshoot.perCustomer = `${served} of ${PER_CUSTOMER} (${(((served - PER_CUSTOMER) / PER_CUSTOMER) * 100).toFixed(1)} %)`;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(served).toBeGreaterThanOrEqual(PER_CUSTOMER);
    expect(served).toBeLessThanOrEqual(PER_CUSTOMER * 1.1);
  });
});
