// Behind a real load balancer: three `next start` instances of the production build
// behind HAProxy (ops/haproxy.cfg, health checks on /api/health/ready), a steady stream of API
// withdrawals and deposits through it, clients that retry with the same Idempotency-Key on 503,
// 409 and connection errors. (1) A rolling restart (SIGTERM, wait, start again, one at a time):
// no client request fails at all (no 5xx, no network error: HAProxy's retries absorb the drain),
// every instance exits 0, the ledger's invariants hold. (2) kill -9 of one instance while requests
// are held in flight on it: at most those fail (and their retries succeed), never with a 500,
// HAProxy marks it DOWN after its `fall` failed checks. Both: no unexpected error in any log.
// IDEM_TEST_BASE_PORT pins the ports (instances base+20…, HAProxy base+29); default free ports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectCleanLogs, expectOnly503s } from './fault-evidence';
import { HAPROXY_BIN, HAPROXY_CONFIG, renderConfig, startCluster, type Cluster } from './cluster';
import { checkInvariants, type InvariantReport } from './invariants';
import { isFinal, money, reportScenario, StormClient, stormCustomers } from './storm';

const base = process.env.IDEM_TEST_BASE_PORT ? Number(process.env.IDEM_TEST_BASE_PORT) + 20 : undefined;
const lbPort = base !== undefined ? base + 9 : undefined;
const WORKERS = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks the shipped config renders for other ports and HAProxy accepts it. */
function expectValidConfig() {
  const dir = mkdtempSync(path.join(tmpdir(), 'idem-haproxy-check-'));
  try {
    const file = path.join(dir, 'haproxy.cfg');
    const rendered = renderConfig(readFileSync(HAPROXY_CONFIG, 'utf8'), {
      bind: '127.0.0.1:18080',
      socket: path.join(dir, 's.sock'),
      servers: [{ name: 'a', host: '127.0.0.1', port: 13000 }],
    });
    expect(rendered).toMatch(/^\s*bind 127\.0\.0\.1:18080$/m);
    expect(rendered).toMatch(/^\s*server a 127\.0\.0\.1:13000$/m);
    expect(rendered).not.toMatch(/server i0/);
    writeFileSync(file, rendered);
    execFileSync(HAPROXY_BIN, ['-c', '-q', '-f', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Three customers (one with two API keys), signed up through the balancer, and their client. */
async function balancedClient(lbUrl: string): Promise<StormClient> {
  return new StormClient(() => [lbUrl], await stormCustomers([lbUrl], [2, 1, 1]), { maxAttempts: 80 });
}

/** Four accounts round the customers. */
function openAccounts(client: StormClient, name: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      client.openAccount(client.customers[i % client.customers.length]!, `${name} ${i}`, '5000.00'),
    ),
  );
}

/** WORKERS clients, each sending one command at a time through the balancer until stopped (as the account's owner). */
function steadyStream(client: StormClient, accounts: string[]) {
  let running = true;
  const workers = Array.from({ length: WORKERS }, async (_, w) => {
    for (let n = 0; running; n++) {
      const account = accounts[(w + n) % accounts.length]!;
      const amount = money(1 + ((w * 7 + n * 13) % 150));
      // Paced: one API key allows API_KEY_RATE_LIMIT (1000) requests a minute; WORKERS × 1/0.4 s stays under it.
      if (n > 0) await sleep(400);
      if (n % 4 === 3) await client.deposit(account, amount, `dep-${randomUUID()}`, { instance: 0 });
      else await client.withdraw(account, amount, `wd-${randomUUID()}`, { instance: 0 });
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

async function check(cluster: Cluster, client: StormClient): Promise<InvariantReport> {
  const db = new pg.Client({ connectionString: cluster.postgres.url });
  await db.connect();
  try {
    const report = await checkInvariants(db, client.list());
    // A 401 would be a final answer nothing recorded: the invariants alone could not tell it from a validation error.
    expect(client.stats.byStatus['401'], 'every API key was accepted on every attempt').toBeUndefined();
    return report;
  } finally {
    await db.end();
  }
}

async function untilResolved(client: StormClient, atLeast: number) {
  await expect
    .poll(() => client.resolved(), { timeout: 60_000, interval: 20, message: `commands resolved, expected ${atLeast}` })
    .toBeGreaterThanOrEqual(atLeast);
}

/**
 * HAProxy's counters of a server since `before`: response errors (`eresp`: among them responses the
 * server aborted, srv_abrt), retries and redispatches (`wretr`, `wredis`: a refused connection after
 * the kill counts there too, so they alone prove no cut).
 */
const counters = (stat: { row: Record<string, string> }, before: { row: Record<string, string> }) =>
  Object.fromEntries(
    ['eresp', 'wretr', 'wredis'].map((column) => [
      column,
      Number(stat.row[column] || 0) - Number(before.row[column] || 0),
    ]),
  );

async function withBalancedCluster(run: (cluster: Cluster) => Promise<void>) {
  const cluster = await startCluster({
    instances: 3,
    basePort: base,
    poolSize: 5,
    lb: { port: lbPort },
    env: { IDEM_SHUTDOWN_TIMEOUT_MS: '20000', LOG_LEVEL: 'warn' },
  });
  try {
    for (const i of cluster.instances) await cluster.lb!.waitFor(`i${i.index}`, 'UP');
    await run(cluster);
  } catch (error) {
    for (const instance of cluster.instances)
      console.error(`--- instance ${instance.index} (last lines):\n${instance.output.slice(-20).join('\n')}`);
    console.error(`--- haproxy:\n${cluster.lb?.output.slice(-20).join('\n')}`);
    throw error;
  } finally {
    await cluster.stop();
  }
}

describe('behind HAProxy', () => {
  it('ships a config HAProxy accepts, rendered for any ports', () => {
    expectValidConfig();
  });

  it('rolling restart of all three instances under a steady stream: zero failed requests (no 5xx, no network error), exits 0, invariants hold', async () => {
    await withBalancedCluster(async (cluster) => {
      const lb = cluster.lb!;
      const client = await balancedClient(lb.url);
      const accounts = await openAccounts(client, 'Rolling');
      const started = Date.now();
      const stream = steadyStream(client, accounts);
      const exits: unknown[] = [];
      const downs: number[] = [];
      try {
        await untilResolved(client, 20);
        for (const instance of cluster.instances) {
          const before = await lb.server(`i${instance.index}`);
          await cluster.kill(instance.index, 'SIGTERM'); // waits for the exit (SIGKILL after 10 s)
          exits.push(instance.exit);
          await cluster.restart(instance.index);
          await lb.waitFor(`i${instance.index}`, 'UP');
          downs.push((await lb.server(`i${instance.index}`)).downTransitions - before.downTransitions);
          // Traffic keeps flowing between restarts.
          await untilResolved(client, client.resolved() + 10);
        }
      } finally {
        await stream.stop();
      }
      const report = await check(cluster, client);
      reportScenario({
        scenario: 'lb-rolling-restart',
        requests: client.stats.requests,
        keys: client.stats.keys,
        duplicates: client.stats.duplicates,
        retries: client.stats.retries,
        status5xx: client.stats.status5xx,
        status409: client.stats.status409,
        status429: client.stats.status429,
        networkErrors: client.stats.networkErrors,
        byStatus: client.stats.byStatus,
        durationMs: Date.now() - started,
        events: report.events,
        lbDownTransitions: downs,
      });
      expect(exits).toEqual([0, 1, 2].map(() => ({ code: 0, signal: null })));
      expect(client.stats.gaveUp).toBe(0);
      expect(report.unresolved).toBe(0);
      // Every command ended in a success or a business answer (an overdraft), never an error.
      for (const o of client.list())
        expect(
          o.responses.filter((r) => isFinal(r.status)).every((r) => r.status === 201 || r.status === 422),
          o.key,
        ).toBe(true);
      expect(client.stats.keys).toBeGreaterThanOrEqual(20 + 3 * 10);
      // Zero failed requests, as the title says: no attempt of any command was answered 5xx or lost
      // its connection (HAProxy retried the drained instance's refusals on another one).
      expect(
        { status5xx: client.stats.status5xx, networkErrors: client.stats.networkErrors },
        JSON.stringify(client.stats.byStatus),
      ).toEqual({
        status5xx: 0,
        networkErrors: 0,
      });
      expectCleanLogs(cluster);
    });
  });

  it('kill -9 of one instance: at most the in-flight requests fail, their retries succeed, HAProxy marks it DOWN after `fall` failed checks', async () => {
    await withBalancedCluster(async (cluster) => {
      const lb = cluster.lb!;
      const client = await balancedClient(lb.url);
      const accounts = await openAccounts(client, 'Killed');
      const started = Date.now();
      const stream = steadyStream(client, accounts);
      let failedAfterKill = 0;
      let inFlightAtKill = 0;
      let down: Awaited<ReturnType<typeof lb.server>>;
      let before: Awaited<ReturnType<typeof lb.server>>;
      let downMs = 0;
      // Holds every command's write (its INSERT into commands waits for this lock), so requests sent
      // to i1 stay in flight there until the kill cuts them, whatever the timing.
      const locker = new pg.Client({ connectionString: cluster.postgres.ownerUrl });
      await locker.connect();
      try {
        await untilResolved(client, 30);
        before = await lb.server('i1');
        expect(before.status).toBe('UP');
        const failures = () => client.stats.networkErrors + client.stats.status5xx;
        const failuresBefore = failures();
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE commands IN SHARE MODE');
        // HAProxy's current sessions on i1: requests it sent there, held by the lock, unanswered.
        let held = 0;
        await expect
          .poll(async () => (held = Number((await lb.server('i1')).row.scur)), {
            timeout: 60_000,
            interval: 20,
            message: 'requests held in flight on i1',
          })
          .toBeGreaterThan(0);
        inFlightAtKill = held; // what the poll saw: a second read of HAProxy's counters can come back 0
        const killedAt = Date.now();
        await cluster.kill(1, 'SIGKILL');
        await locker.query('COMMIT');
        down = await lb.waitFor('i1', 'DOWN');
        downMs = Date.now() - killedAt;
        await untilResolved(client, client.resolved() + 30);
        failedAfterKill = failures() - failuresBefore;
      } finally {
        await stream.stop();
        await locker.end();
      }
      const report = await check(cluster, client);
      reportScenario({
        scenario: 'lb-kill-9',
        requests: client.stats.requests,
        keys: client.stats.keys,
        duplicates: client.stats.duplicates,
        retries: client.stats.retries,
        status5xx: client.stats.status5xx,
        status409: client.stats.status409,
        status429: client.stats.status429,
        networkErrors: client.stats.networkErrors,
        byStatus: client.stats.byStatus,
        durationMs: Date.now() - started,
        events: report.events,
        inFlightAtKill,
        killedServer: counters(down!, before!),
        failedAfterKill,
        markedDownAfterMs: downMs,
        failedChecks: down!.checkFailures - before!.checkFailures,
      });
      expect(cluster.instances[1]!.exit).toEqual({ code: null, signal: 'SIGKILL' });
      // The kill cut requests: some were in flight on i1 at the kill (HAProxy's current sessions there,
      // held by the lock: they could not have finished first). HAProxy then saw their responses
      // aborted (eresp) or retried them elsewhere (wretr); which of the two it counts depends on where
      // each request was when the connection died, so the guard takes either (a refused connection
      // after the kill also counts as a retry, which is why the in-flight count above is required too).
      expect(inFlightAtKill).toBeGreaterThan(0);
      const cut = counters(down!, before!);
      expect((cut.eresp ?? 0) + (cut.wretr ?? 0), 'responses HAProxy saw i1 abort, or retried').toBeGreaterThan(0);
      expect(failedAfterKill).toBeLessThanOrEqual(inFlightAtKill);
      // A failure is a dropped connection or a 503, never a 500 (nor a 502/504 from the balancer).
      expectOnly503s(client);
      expect(client.stats.gaveUp).toBe(0);
      expect(report.unresolved).toBe(0);
      // HAProxy took it out on its own health checks, by its own clock rather than ours: one UP→DOWN
      // transition, the connection refused, after exactly `fall 2` failed checks (chkfail counts
      // the checks that failed while the server was still up), i.e. within fall × inter.
      expect(down!.downTransitions - before!.downTransitions).toBe(1);
      expect(down!.checkStatus).toMatch(/^L4/);
      expect(down!.checkFailures - before!.checkFailures).toBe(2);
      // The other two instances keep serving through the balancer.
      expect((await lb.server('i0')).status).toBe('UP');
      expect((await lb.server('i2')).status).toBe('UP');
      expect(cluster.instances.filter((i) => i.index !== 1).every((i) => i.alive)).toBe(true);
      expectCleanLogs(cluster);
    });
  });
});
