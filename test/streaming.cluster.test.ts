// The event stream under faults: 2 instances (each running a JetStream relay, one publishing),
// nats-server with JetStream, the statements consumer as a process of its own, and a storm of API
// commands (duplicated keys across instances, transfers, retries). During the storm: kill -9 the
// instance whose relay is publishing, kill -9 nats-server and start it again, kill -9 the consumer
// while it is behind the stream; after it, restart everything. Then the stream holds exactly one
// message per event (count and unique ids), per subject in stream-version order, and the statements
// equal the ones computed from the events table. Lag (commit → statement updated) is reported, never
// asserted (reports/cluster-summary.json).
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats } from '../lib/streaming/connection';
import { RELAY_LOCK_CLASS } from '../lib/streaming/relay';
import { RELAY_NAME } from '../lib/streaming/position';
import { ALL_SUBJECTS, STREAM_NAME } from '../lib/streaming/subjects';
import { startCluster, type Cluster } from './cluster';
import { checkInvariants } from './invariants';
import { money, reportScenario, seeded, StormClient, stormCustomers } from './storm';
import { has, parseMetrics, valueOf } from './prometheus-text';
import { auditStream, statementsFromConsumer, statementsFromLog } from './streaming';

/** Lets the test read each instance's Prometheus metrics (GET /api/metrics). */
const METRICS_TOKEN = 'metrics-token-for-the-stream-test';

/** `promise`, or a failure naming what did not happen within `ms`. */
const within = <T>(what: string, promise: Promise<T>, ms = 180_000): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms).unref()),
  ]);

const waitUntil = async (what: string, condition: () => Promise<boolean> | boolean, timeout = 120_000) =>
  // A check that hangs (a request across a restart) counts as not yet, so the poll's timeout holds.
  expect
    .poll(() => within(what, Promise.resolve(condition()), 15_000).catch(() => false), {
      timeout,
      interval: 50,
      message: `${what} not reached`,
    })
    .toBe(true);

/** The instance whose relay holds the leader lock (its backend's application_name names the process). */
async function relayLeader(admin: pg.Client, cluster: Cluster): Promise<number | null> {
  const { rows } = await admin.query<{ app: string }>(
    `SELECT a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = hashtext($2)::oid`,
    [RELAY_LOCK_CLASS, RELAY_NAME],
  );
  const pid = Number(/^idem-relay-(\d+)$/.exec(rows[0]?.app ?? '')?.[1]);
  if (!pid) return null;
  const group = (pgid: number) =>
    (spawnSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' }).stdout ?? '')
      .split('\n')
      .map((s) => Number(s.trim()));
  return cluster.instances.find((i) => i.alive && i.pid !== null && group(i.pid).includes(pid))?.index ?? null;
}

/** A storm of commands over `accounts`, duplicates sent to the other instance too. */
function storm(client: StormClient, accounts: string[], unique: number, spreadMs: number, seed: number) {
  const rand = seeded(seed);
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < unique; i++) {
    const from = accounts[Math.floor(rand() * accounts.length)]!;
    const amount = money(100 + Math.floor(rand() * 2_000));
    const key = `stream-${randomUUID()}`;
    const copies = rand() < 0.4 ? 2 : 1;
    const kind = rand();
    const delayMs = Math.floor(rand() * spreadMs);
    // One request per key: every copy of a transfer goes to the same account.
    const others = accounts.filter((a) => client.account(a).customerId !== client.account(from).customerId);
    const to = others[Math.floor(rand() * others.length)]!;
    for (let copy = 0; copy < copies; copy++) {
      const options = { instance: (i + copy) % 2, duplicate: copy > 0, delayMs: delayMs + copy * 5 };
      if (kind < 0.4) sends.push(client.deposit(from, amount, key, options));
      else if (kind < 0.8) sends.push(client.withdraw(from, amount, key, options));
      else sends.push(client.transfer(from, to, amount, key, options));
    }
  }
  let ended = false;
  const done = Promise.all(sends).finally(() => (ended = true));
  return { done, ended: () => ended };
}

/** Backends of `app` (a LIKE pattern) waiting on a lock inside a transaction (an UPDATE alone is one too). */
async function blockedInTransaction(admin: pg.Client, app: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name LIKE $1 AND xact_start IS NOT NULL AND wait_event_type = 'Lock'`,
    [app],
  );
  return rows[0]!.n;
}

async function relayPosition(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(`SELECT last_stream_sequence::text AS n FROM relay_positions`);
  return Number(rows[0]?.n ?? 0);
}

async function lagMs(db: pg.Client, since: Date): Promise<{ p50: number; p99: number; n: number }> {
  const { rows } = await db.query<{ p50: number; p99: number; n: number }>(
    `SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), 0)::float AS p50,
            coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), 0)::float AS p99, count(*)::int AS n
       FROM (SELECT extract(epoch FROM applied_at - at) * 1000 AS ms FROM statements.movements WHERE at >= $1) t`,
    [since],
  );
  return rows[0]!;
}

describe('the event stream under faults', () => {
  it('kill -9 the publishing relay, nats-server and the consumer mid-storm, restart everything → one message per event, in order, statements equal the log', async () => {
    const cluster = await startCluster({ instances: 2, nats: {}, env: { LOG_LEVEL: 'info', METRICS_TOKEN } });
    const admin = new pg.Client({ connectionString: cluster.postgres.ownerUrl });
    admin.on('error', () => {});
    await admin.connect();
    const nc = await connectNats(cluster.nats!.url, 'fault-test');
    try {
      const client = new StormClient(cluster.urls, await stormCustomers(cluster.urls(), [2, 1, 1]));
      const accounts: string[] = [];
      for (const [i, customer] of client.customers.entries())
        for (let n = 0; n < 2; n++) accounts.push(await client.openAccount(customer, `Account ${i}.${n}`, '300.00', n));
      const events = async () => Number((await admin.query(`SELECT count(*) FROM events`)).rows[0].count);
      const streamed = async () => (await (await jetstreamManager(nc)).streams.info(STREAM_NAME)).state.messages;
      const lastSeq = async () =>
        (await (await jetstreamManager(nc)).streams.getMessage(STREAM_NAME, { last_by_subj: ALL_SUBJECTS }))?.seq ?? 0;
      const applied = async () =>
        Number(
          (await admin.query(`SELECT stream_sequence FROM statements.consumer_position`).catch(() => ({ rows: [] })))
            .rows[0]?.stream_sequence ?? 0,
        );
      const caughtUp = async () => (await streamed()) === (await events()) && (await applied()) === (await lastSeq());

      // A clean run first: the end-to-end lag without faults.
      const cleanSince = new Date();
      await storm(client, accounts, 60, 2_000, 1).done;
      await waitUntil('the clean run streamed and applied', caughtUp);
      const clean = await lagMs(admin, cleanSince);
      console.log(`[stream faults] clean run: ${JSON.stringify(clean)}`);

      const faultSince = new Date();
      const run = storm(client, accounts, 500, 45_000, 2);
      const t0 = Date.now();
      const step = (line: string) => console.log(`[stream faults] +${((Date.now() - t0) / 1000).toFixed(1)}s ${line}`);
      // 1. kill -9 the consumer mid-batch: a lock the test holds stops its next batch inside its
      //    transaction (messages read, position row locked, effect half written); kill it there.
      const hold = new pg.Client({ connectionString: cluster.postgres.ownerUrl });
      hold.on('error', () => {}); // the cluster's stop ends it
      await hold.connect();
      await hold.query('BEGIN');
      await hold.query('LOCK TABLE statements.monthly_statements IN EXCLUSIVE MODE');
      await waitUntil(
        'the consumer blocked mid-batch',
        async () => (await blockedInTransaction(admin, 'idem-statements')) > 0,
      );
      const consumerKill = { applied: await applied(), last: await lastSeq() };
      await cluster.consumer!.kill();
      await hold.query('ROLLBACK');
      step(`consumer killed mid-batch at ${JSON.stringify(consumerKill)}`);
      await cluster.consumer!.restart();
      // 2. kill -9 the publishing relay after JetStream acknowledged a batch and before its position
      //    was written (the row lock holds the UPDATE): the stream is ahead of the stored position.
      await waitUntil('a relay leads', async () => (await relayLeader(admin, cluster)) !== null);
      const leader = (await relayLeader(admin, cluster))!;
      // A table lock takes no transaction id, so it does not hold back the gap-safe reader's horizon.
      await hold.query('BEGIN');
      await hold.query('LOCK TABLE relay_positions IN SHARE MODE');
      const positionAtLock = await relayPosition(admin);
      await waitUntil(
        'the relay blocked after a publish',
        async () => (await blockedInTransaction(admin, 'idem-relay-%')) > 0 && (await streamed()) > positionAtLock,
      );
      const relayKill = { storedPosition: positionAtLock, streamed: await streamed(), events: await events() };
      expect(relayKill.streamed, 'acknowledged by JetStream beyond the stored position').toBeGreaterThan(
        positionAtLock,
      );
      await cluster.kill(leader, 'SIGKILL');
      await hold.query('ROLLBACK');
      await hold.end();
      step(
        `relay leader (instance ${leader}) killed after its acks, before its position: ${JSON.stringify(relayKill)}`,
      );
      await waitUntil('the standby relay took over', async () => (await relayLeader(admin, cluster)) === 1 - leader);
      step('the standby relay leads');
      await cluster.restart(leader);
      // 3. kill -9 nats-server while commands are still written; start it again on the same data.
      const natsKill = { events: await events(), streamed: await streamed() };
      await cluster.nats!.kill();
      step(`nats-server killed at ${JSON.stringify(natsKill)}`);
      await waitUntil('commands written while NATS is down', async () => (await events()) > natsKill.events + 10);
      await cluster.nats!.restart();
      step('nats-server restarted');
      expect(run.ended(), 'the faults struck during the storm').toBe(false);
      await within('the storm to end', run.done);
      step(`storm ended: ${JSON.stringify(client.stats.byStatus)}`);
      // 4. Restart everything.
      await within('the consumer to restart', cluster.consumer!.restart());
      await within('nats-server to restart', cluster.nats!.restart());
      for (const instance of cluster.instances)
        await within(`instance ${instance.index} to restart`, cluster.restart(instance.index));
      step('everything restarted');
      await waitUntil('the stream and the statements caught up', caughtUp, 180_000);
      step('caught up');

      const report = await checkInvariants(admin, client.list());
      expect(report.unresolved).toBe(0);
      expect(client.stats.gaveUp).toBe(0);
      const audit = await auditStream(nc, await jetstreamManager(nc), admin);
      expect(audit).toMatchObject({ missing: [], extra: [], outOfOrder: [] });
      expect(audit.messages).toBe(audit.events);
      expect(audit.uniqueIds).toBe(audit.events);
      const expected = await statementsFromLog(admin);
      expect(expected.length).toBeGreaterThan(0);
      expect(await statementsFromConsumer(admin)).toEqual(expected);
      // The customer sees them: the account page's Statements section and its CSV, the owner only;
      // with the consumer stopped and a new deposit, the page says the statements are behind.
      const [owner, stranger] = client.customers;
      const mine = accounts.find((a) => client.account(a).customerId === owner!.id)!;
      const month = expected.find((s) => s.accountId === mine)!;
      const get = (path: string, who = owner!) =>
        fetch(`${cluster.urls()[0]}${path}`, { headers: { cookie: who.cookie! }, redirect: 'manual' });
      const page = await (await get(`/accounts/${mine}`)).text();
      expect(page).toContain('id="statements-heading"');
      expect(page).toContain(`data-testid="statement-${month.month}"`);
      expect(page).not.toContain('data-testid="statements-behind"');
      const csv = await get(`/accounts/${mine}/statements/${month.month}`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const figures = (await csv.text()).split('\r\n')[1]!.split(',');
      expect(figures.slice(1, 6)).toEqual([
        month.month,
        money(month.openingCents),
        money(month.creditsCents),
        money(month.debitsCents),
        money(month.closingCents),
      ]);
      expect((await get(`/accounts/${mine}/statements/${month.month}`, stranger!)).status).toBe(404);
      expect((await get(`/accounts/${mine}`, stranger!)).status).toBe(404);
      await cluster.consumer!.stop();
      const probe = await client.deposit(mine, '1.00', `behind-${randomUUID()}`, { instance: 0 });
      expect(probe?.status).toBe(201);
      await expect
        .poll(async () => (await (await get(`/accounts/${mine}`)).text()).includes('data-testid="statements-behind"'))
        .toBe(true);
      // The relay's metrics: the instance that publishes counts what JetStream acknowledged (the
      // probe deposit at least: the counters started again with the instances) and reports its lag.
      const relayMetrics = async () =>
        Promise.all(
          cluster.instances.map(async (instance) => {
            const response = await fetch(`${instance.url}/api/metrics`, {
              headers: { authorization: `Bearer ${METRICS_TOKEN}` },
            });
            return parseMetrics(await response.text());
          }),
        );
      await expect
        .poll(
          async () => (await relayMetrics()).reduce((n, s) => n + valueOf(s, 'idem_relay_events_published_total'), 0),
          {
            timeout: 30_000,
          },
        )
        .toBeGreaterThan(0);
      expect((await relayMetrics()).some((s) => has(s, 'idem_relay_lag_events'))).toBe(true);
      const faulted = await lagMs(admin, faultSince);
      reportScenario({
        scenario: 'event stream under faults',
        requests: client.stats.requests,
        keys: client.stats.keys,
        duplicates: client.stats.duplicates,
        retries: client.stats.retries,
        status5xx: client.stats.status5xx,
        status409: client.stats.status409,
        networkErrors: client.stats.networkErrors,
        byStatus: client.stats.byStatus,
        durationMs: Date.now() - faultSince.getTime(),
        events: audit.events,
        streamMessages: audit.messages,
        relayKill,
        natsKill,
        consumerKill,
        lagCleanMs: clean,
        lagUnderFaultsMs: faulted,
      });
    } catch (error) {
      console.error(`--- consumer output:\n${cluster.consumer?.output.slice(-30).join('\n')}`);
      for (const instance of cluster.instances)
        console.error(
          `--- instance ${instance.index}:\n${instance.output
            .filter((l) => l.includes('relay'))
            .slice(-15)
            .join('\n')}`,
        );
      throw error;
    } finally {
      await nc.close();
      await admin.end();
      await cluster.stop();
    }
  }, 900_000);
});
