// Replica reads that still read your writes. The HA topology (lib/cluster/ha.ts) with every standby
// applying WAL 2 s late on purpose (recovery_min_apply_delay), one instance with DATABASE_REPLICA_URL.
// A writer deposits and at once reads its account's events, sending back the commit position the
// deposit answered with: every read must show the deposit (100 %). A reader who wrote nothing lately
// reads meanwhile: the replica serves it. The same read without the position, right after a write,
// shows the delay is real (the replica misses the deposit). The share the replica served is reported.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHaPostgres, type HaPostgres } from '../lib/cluster/ha';
import { accountStreamId } from '../lib/accounts/domain/account';
import type { AccountId } from '../lib/accounts/domain/account-id';
import { apiHeaders, signUpApiCustomer, type ApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';
import { expectCleanLogs } from './fault-evidence';
import { postPageForm } from './server-action-form';

const WRITES = 15;
let dir: string;
let ha: HaPostgres;
let cluster: Cluster;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'idem-ha-reads-'));
  ha = await startHaPostgres({ dir, settings: { recovery_min_apply_delay: '2s' } });
  cluster = await startCluster({
    instances: 1,
    databaseUrl: ha.url,
    migrationDatabaseUrl: ha.ownerUrl,
    env: { LOG_LEVEL: 'info', DATABASE_REPLICA_URL: ha.replicaUrl, DATABASE_QUERY_TIMEOUT_MS: '10000' },
  });
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
  await ha?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

async function openAccount(url: string, customer: ApiCustomer): Promise<string> {
  const response = await fetch(`${url}/api/accounts`, {
    method: 'POST',
    headers: apiHeaders(randomUUID(), { authorization: customer.authorizations[0]! }),
    body: JSON.stringify({ name: 'Reads', openingDeposit: '100.00' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function deposit(url: string, customer: ApiCustomer, accountId: string): Promise<string> {
  const response = await fetch(`${url}/api/accounts/${accountId}/deposits`, {
    method: 'POST',
    headers: apiHeaders(randomUUID(), { authorization: customer.authorizations[0]! }),
    body: JSON.stringify({ amount: '1.00' }),
  });
  expect(response.status).toBe(201);
  const lsn = response.headers.get('idem-commit-lsn');
  expect(lsn, 'a command that wrote answers with its commit position').toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  return lsn!;
}

async function events(url: string, customer: ApiCustomer, accountId: string, lsn?: string) {
  const response = await fetch(`${url}/api/accounts/${accountId}/events`, {
    headers: { authorization: customer.authorizations[0]!, ...(lsn ? { 'idem-commit-lsn': lsn } : {}) },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { events: unknown[] };
  return { count: body.events.length, from: response.headers.get('idem-read-from') };
}

describe('replica reads with a replica 2 s behind', () => {
  it('read-your-writes on every read that carries the commit position; other reads go to the replica', async () => {
    const url = cluster.instances[0]!.url;
    const writer = await signUpApiCustomer(url, 'Writer');
    const reader = await signUpApiCustomer(url, 'Reader');
    const mine = await openAccount(url, writer);
    const theirs = await openAccount(url, reader);
    // Once the replica has replayed the reader's account (2 s on), the reader's reads are the replica's.
    await expect
      .poll(async () => (await events(url, reader, theirs)).from, { timeout: 60_000, interval: 200 })
      .toBe('replica');

    let seen = 0;
    let missedWithoutPosition = 0;
    const servedBy = { replica: 0, primary: 0 };
    const primary = new pg.Client({ connectionString: ha.ownerUrl });
    await primary.connect();
    // The truth: the account's events on the primary, right after each deposit.
    const onPrimary = async () =>
      Number(
        (
          await primary.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE stream_id = $1', [
            accountStreamId(mine as AccountId),
          ])
        ).rows[0]!.n,
      );
    for (let n = 1; n <= WRITES; n++) {
      const lsn = await deposit(url, writer, mine);
      const written = await onPrimary();
      const withPosition = await events(url, writer, mine, lsn);
      if (withPosition.count === written) seen += 1;
      servedBy[withPosition.from as 'replica' | 'primary'] += 1;
      const other = await events(url, reader, theirs);
      servedBy[other.from as 'replica' | 'primary'] += 1;
      const blind = await events(url, writer, mine); // no position: the replica may serve it, 2 s behind
      if (blind.from === 'replica' && blind.count < written) missedWithoutPosition += 1;
      servedBy[blind.from as 'replica' | 'primary'] += 1;
    }
    await primary.end();
    const reads = servedBy.replica + servedBy.primary;
    console.log(
      `[ha] replica reads: read-your-writes ${seen}/${WRITES}; replica served ${servedBy.replica}/${reads} reads (${Math.round((100 * servedBy.replica) / reads)} %); reads without the position that missed the write: ${missedWithoutPosition}`,
    );
    expect(seen).toBe(WRITES);
    expect(servedBy.replica).toBeGreaterThan(0);
    expect(missedWithoutPosition, 'the delay is real: a read without the position misses the write').toBeGreaterThan(0);
    expectCleanLogs(cluster);
  });

  it('a form posted in the browser answers with the commit position, and the next page read shows the write', async () => {
    const url = cluster.instances[0]!.url;
    const customer = await signUpApiCustomer(url, 'Browser');
    const account = await openAccount(url, customer);
    // The replica has the account (the opening is older than its delay): reads without a position go there.
    await expect
      .poll(async () => (await events(url, customer, account)).from, { timeout: 60_000, interval: 200 })
      .toBe('replica');
    const history = async (cookie: string) => {
      const page = await fetch(`${url}/accounts/${account}`, { headers: { cookie } });
      expect(page.status).toBe(200);
      return ((await page.text()).match(/data-testid="transaction"/g) ?? []).length;
    };
    // The replica has the opening deposit in the account's history too (reads without a position go there).
    await expect.poll(() => history(customer.cookie!), { timeout: 60_000, interval: 200 }).toBeGreaterThan(0);
    const before = await history(customer.cookie!);
    const posted = await postPageForm(
      `${url}/accounts/${account}/withdraw`,
      'Withdraw',
      { amount: '1.00' },
      { cookie: customer.cookie!, origin: url },
    );
    expect(posted.response.status).toBe(200);
    expect(posted.html).toContain('Withdrew $1.00');
    const lsn = /(?:^|,\s*)idem_lsn=([0-9A-F]+\/[0-9A-F]+)/.exec(posted.response.headers.get('set-cookie') ?? '')?.[1];
    expect(lsn, 'the form post sets the commit position cookie').toBeTruthy();
    // The browser sends the cookie back: the account page's history includes the withdrawal at once.
    const postedAt = Date.now();
    expect(await history(`${customer.cookie!}; idem_lsn=${lsn}`)).toBe(before + 1);
    // Without it the replica, 2 s behind, serves a history without the withdrawal: the check above
    // means something (when the machine was quick enough to ask within the delay).
    const blind = await history(customer.cookie!);
    if (Date.now() - postedAt < 1_500) expect(blind).toBe(before);
    else console.log(`[ha] the control read came ${Date.now() - postedAt} ms after the post: not within the delay`);
    expectCleanLogs(cluster);
  });
});
