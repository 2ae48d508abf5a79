// Storm and fault tests ("prove it at scale"): real PostgreSQL, real `next start`
// instances from the production build, a few hundred concurrent requests with duplicated keys sent
// to different instances, and faults injected mid-storm: SIGKILL of the projection leader held
// mid-batch, pg_terminate_backend of the app's connections, PostgreSQL stopped with `-m immediate`
// and restarted, and an ambiguous commit (committed, but the reply cut) through a TCP proxy. Clients
// retry on 5xx / 409 / network errors with the same Idempotency-Key. The clients are several
// customers, each with API keys of their own (some with two, used in turn: a key is the
// customer's, so rotating API keys mid-retry still deduplicates), each owning some of the accounts:
// they withdraw and deposit on their own accounts, transfer to other customers' accounts by account
// number, now and then reuse another customer's Idempotency-Key for their own command (two commands,
// neither sees the other), and reach for someone else's account (404, nothing written). After each
// storm, test/invariants.ts checks the whole ledger against everything the clients saw,
// [stream-owner] included. Each fault test also proves its fault struck and its races happened
// (test/fault-evidence.ts), and that nothing answered 500 or logged an
// unexpected error. No timing assertions; counts are printed and written to
// reports/cluster-summary.json.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../lib/db/embedded-postgres';
import { withClient } from '../lib/db/with-client';
import { scopedCommandId } from '../lib/accounts/ids';
import { startCluster, type Cluster, type ClusterOptions } from './cluster';
import type { ApiCustomer } from './api-client';
import { checkInvariants, toCents, type InvariantReport, type ObservedRequest } from './invariants';
import { isFinal, money, reportScenario, seeded, StormClient, stormCustomers } from './storm';
import { PgProxy } from './tcp-proxy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
import { DAILY_TOTALS } from '../lib/projections/daily-totals';
import { verifyProjection } from '../lib/projections/rebuild';
import {
  cutAfterRecording,
  cutAttempts,
  DUPLICATE_KEY,
  expectCleanLogs,
  expectCutCommandsReplayed,
  expectOnly503s,
  isCutInFlight,
  leaderBlockedMidBatch,
  projectionLeader,
  projectionProgress,
  rolledBack,
  serverLogLines,
  terminateAppBackends,
  unavailableLines,
  servingNow,
  uniqueViolations,
  type Leader,
} from './fault-evidence';

/** Lets the storm read each instance's Prometheus counters (GET /api/metrics). */
const METRICS_TOKEN = 'metrics-token-for-the-storm-test';

/** API keys per customer of a storm: four customers, two of them rotating between two keys. */
const CUSTOMER_KEYS = [2, 1, 2, 1];
/** The storm each fault scenario runs while its fault strikes. */
const FAULT_STORM = {
  unique: 240,
  hotShare: 0.3,
  transferShare: 0.15,
  duplicateShare: 0.4,
  spreadMs: 3_000,
  intrusionShare: 0.03,
  sharedKeyShare: 0.03,
};

type PlannedOp = {
  key: string;
  kind: 'deposit' | 'withdraw' | 'transfer';
  accountId: string;
  to?: string;
  amount: string;
  copies: number;
  first: number;
  delayMs: number;
  /** Who sends it: the owner of `accountId`, or (an intrusion) another customer. */
  sender: string;
  intrusion: boolean;
};

type StormPlan = {
  /** Distinct commands (keys). */
  unique: number;
  /** Share of commands aimed at the hot account (mostly withdrawals, to overdraw it). */
  hotShare: number;
  /** Share of transfers (two-stream commands) from a random account (the hot one included) to another customer's (never into the hot one). */
  transferShare: number;
  /** Share of keys sent more than once, each copy to another instance. */
  duplicateShare: number;
  /** First sends are spread uniformly over this many ms (0 = all at once). */
  spreadMs: number;
  /** Only first sends to this instance (duplicates still go elsewhere). */
  firstInstance?: number;
  /** Share of withdrawals sent by a customer who does not own the account (404, nothing written). */
  intrusionShare?: number;
  /** Share of commands whose Idempotency-Key another customer already used for their own command. */
  sharedKeyShare?: number;
};

type Accounts = { hot: string; others: string[] };

function planStorm(
  seed: number,
  client: StormClient,
  accounts: Accounts,
  instances: number,
  plan: StormPlan,
): PlannedOp[] {
  const rand = seeded(seed);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const ops: PlannedOp[] = [];
  const all = [accounts.hot, ...accounts.others];
  const owner = (accountId: string) => client.account(accountId).customerId;
  /** Who used each key: another customer may reuse it, the same one never (that would be key-reused). */
  const users = new Map<string, Set<string>>();
  const keyFor = (kind: string, sender: string) => {
    if (rand() < (plan.sharedKeyShare ?? 0)) {
      const shared = [...users].reverse().find(([, who]) => !who.has(sender));
      if (shared) return shared[0];
    }
    return `${kind}-${randomUUID()}`;
  };
  const add = (op: Omit<PlannedOp, 'key'>) => {
    const key = keyFor(op.kind, op.sender);
    users.set(key, (users.get(key) ?? new Set()).add(op.sender));
    ops.push({ key, ...op });
  };
  for (let i = 0; i < plan.unique; i++) {
    const duplicated = rand() < plan.duplicateShare;
    const common = {
      copies: duplicated ? (rand() < 0.25 ? 3 : 2) : 1,
      first: plan.firstInstance ?? Math.floor(rand() * instances),
      delayMs: Math.floor(rand() * plan.spreadMs),
    };
    if (rand() < plan.transferShare) {
      const from = pick(all);
      // Nothing flows into the hot account but its own deposits, so its withdrawals must overdraw it.
      const theirs = accounts.others.filter((a) => owner(a) !== owner(from));
      const to = pick(theirs.length > 0 ? theirs : accounts.others.filter((a) => a !== from));
      add({
        kind: 'transfer',
        accountId: from,
        to,
        amount: money(100 + Math.floor(rand() * 4_000)),
        sender: owner(from),
        intrusion: false,
        ...common,
      });
      continue;
    }
    if (rand() < (plan.intrusionShare ?? 0)) {
      const accountId = pick(all);
      const strangers = client.customers.filter((c) => c.id !== owner(accountId));
      if (strangers.length > 0) {
        add({
          kind: 'withdraw',
          accountId,
          amount: money(1 + Math.floor(rand() * 500)),
          sender: pick(strangers).id,
          intrusion: true,
          ...common,
        });
        continue;
      }
    }
    const hot = rand() < plan.hotShare;
    const accountId = hot ? accounts.hot : pick(accounts.others);
    const kind = hot ? (rand() < 0.9 ? 'withdraw' : 'deposit') : rand() < 0.5 ? 'withdraw' : 'deposit';
    const cents = hot ? 100 + Math.floor(rand() * 500) : 1 + Math.floor(rand() * 5_000);
    add({ kind, accountId, amount: money(cents), sender: owner(accountId), intrusion: false, ...common });
  }
  return ops;
}

/**
 * Sends every op (and its duplicates, each to a different instance, a few ms apart so they race).
 * Copy n starts at the sender's API key number n: a duplicated command of a customer with two keys
 * arrives under both.
 */
async function runStorm(client: StormClient, ops: PlannedOp[], instances: number): Promise<void> {
  const sends: Promise<unknown>[] = [];
  for (const op of ops) {
    for (let copy = 0; copy < op.copies; copy++) {
      const options = {
        instance: (op.first + copy) % instances,
        duplicate: copy > 0,
        delayMs: op.delayMs + copy * Math.floor(Math.random() * 15),
        as: op.sender,
        apiKey: copy,
      };
      sends.push(
        op.kind === 'deposit'
          ? client.deposit(op.accountId, op.amount, op.key, options)
          : op.kind === 'withdraw'
            ? client.withdraw(op.accountId, op.amount, op.key, options)
            : client.transfer(op.accountId, op.to!, op.amount, op.key, options),
      );
    }
  }
  await Promise.all(sends);
}

/** The hot account is the first customer's; the others go round the customers. */
async function openAccounts(client: StormClient, instances: number, others = 5): Promise<Accounts> {
  const { customers } = client;
  const hot = await client.openAccount(customers[0]!, 'Hot Account', '100.00', 0);
  const list = await Promise.all(
    Array.from({ length: others }, (_, i) =>
      client.openAccount(customers[(i + 1) % customers.length]!, `Account ${i + 1}`, '500.00', (i + 1) % instances),
    ),
  );
  return { hot, others: list };
}

/** A fresh cluster's customers and their client. */
async function stormClient(cluster: Cluster, keys = CUSTOMER_KEYS): Promise<StormClient> {
  return new StormClient(cluster.urls, await stormCustomers(cluster.urls(), keys));
}

/** Waits for a condition, never for a time. */
async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<void> {
  await expect.poll(condition, { timeout: timeoutMs, interval: 20, message: `${what} not reached` }).toBe(true);
}

/** A promise opened from outside (Promise.withResolvers needs Node 22). */
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Runs the storm and notes when it ended, so a fault can prove it struck while writers were still sending. */
function tracked(run: Promise<void>): { done: Promise<void>; ended: () => boolean } {
  let ended = false;
  const done = run.finally(() => (ended = true));
  return { done, ended: () => ended };
}

/**
 * The invariants over everything the client saw. A 401 anywhere fails the storm too: it is a final
 * answer that nothing recorded, so the invariants alone could not tell it from a validation error.
 */
async function check(cluster: Cluster, client: StormClient): Promise<InvariantReport> {
  const report = await withClient(cluster.postgres.url, (db) => checkInvariants(db, client.list()));
  expect(client.stats.byStatus['401'], 'every API key was accepted on every attempt').toBeUndefined();
  return report;
}

/** Keys sent more than once whose answers came from at least two different instances. */
function crossInstanceDuplicates(client: StormClient): number {
  return client.list().filter((o) => new Set(o.responses.map((r) => r.instance)).size >= 2).length;
}

/** Commands that arrived under two or more of their customer's API keys (duplicates or retries). */
function rotatedKeys(client: StormClient): number {
  return client.list().filter((o) => new Set(o.responses.map((r) => r.apiKey)).size >= 2).length;
}

function summary(
  scenario: string,
  cluster: Cluster,
  client: StormClient,
  startedAt: number,
  report: InvariantReport,
  extra: Record<string, unknown> = {},
) {
  const { stats } = client;
  reportScenario({
    scenario,
    customers: client.customers.length,
    apiKeys: client.customers.reduce((n, c) => n + c.authorizations.length, 0),
    rotatedKeys: rotatedKeys(client),
    requests: stats.requests,
    keys: stats.keys,
    duplicates: stats.duplicates,
    retries: stats.retries,
    status5xx: stats.status5xx,
    status409: stats.status409,
    status429: stats.status429,
    networkErrors: stats.networkErrors,
    byStatus: stats.byStatus,
    durationMs: Date.now() - startedAt,
    events: report.events,
    acknowledged: report.acknowledged,
    refused: report.refused,
    answeredOnlyByReplay: report.answeredOnlyByReplay,
    internalErrors: cluster.instances.reduce((n, i) => n + i.errors.internal, 0),
    uncaught: cluster.instances.reduce((n, i) => n + i.errors.uncaught, 0),
    ...(stats.networkErrors > 0 ? { networkErrorKinds: stats.networkErrorKinds } : {}),
    ...extra,
  });
}

/** Every instance answers a fresh command of the account's owner (its pool works) and a read. */
async function expectServing(cluster: Cluster, client: StormClient, accountId: string) {
  const owner = client.account(accountId).customerId;
  for (const instance of cluster.instances) {
    const response = await fetch(`${instance.url}/api/accounts/${accountId}/deposits`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': `probe-${randomUUID()}`,
        ...client.authHeaders(owner),
      },
      body: JSON.stringify({ amount: '0.01' }),
    });
    expect(response.status, `instance ${instance.index}: ${await response.clone().text()}`).toBe(201);
    const read = await fetch(`${instance.url}/api/accounts/${accountId}`, { headers: client.authHeaders(owner) });
    expect(read.status).toBe(200);
  }
}

async function withCluster<T>(options: ClusterOptions, run: (cluster: Cluster) => Promise<T>): Promise<T> {
  // The log guards count lines at levels warn and error: a LOG_LEVEL inherited from the shell must not silence them.
  const cluster = await startCluster({ ...options, env: { ...options.env, LOG_LEVEL: 'info' } });
  try {
    return await run(cluster);
  } catch (error) {
    for (const instance of cluster.instances)
      console.error(`--- instance ${instance.index} output (last lines):\n${instance.output.slice(-25).join('\n')}`);
    throw error;
  } finally {
    await cluster.stop();
  }
}

describe('cluster', () => {
  it('storm: 3 instances, 4 customers with 6 API keys, duplicated keys across instances, an overdrawn hot account, intruders → invariants hold, no 5xx', async () => {
    await withCluster({ instances: 3, env: { METRICS_TOKEN } }, async (cluster) => {
      const client = await stormClient(cluster);
      const accounts = await openAccounts(client, 3);
      const rollbacksBefore = await withClient(cluster.postgres.adminUrl, rolledBack);
      const duplicateKeyErrorsBefore = serverLogLines(cluster.postgres, DUPLICATE_KEY);
      const ops = planStorm(1, client, accounts, 3, {
        unique: 260,
        hotShare: 0.4,
        transferShare: 0.15,
        duplicateShare: 0.4,
        spreadMs: 200,
        intrusionShare: 0.05,
        sharedKeyShare: 0.05,
      });
      const started = Date.now();
      await runStorm(client, ops, 3);
      // What an account that does not exist answers: an intruder must get exactly this, id for id.
      const unknown = randomUUID();
      const probe = await client.withdraw(unknown, '1.00', `unknown-${randomUUID()}`, {
        instance: 0,
        as: client.customers[1]!.id,
      });
      const report = await check(cluster, client);
      // The races happened: PostgreSQL refused duplicate keys (two instances inserting the same command
      // row or the same stream version) and the instances retried. Counted by each instance
      // (idem_write_conflicts_total{kind="unique"}) and by PostgreSQL itself: the ERROR lines of its
      // server log since the storm began, and its rolled-back transactions (reported).
      const violations = await uniqueViolations(cluster, METRICS_TOKEN);
      const duplicateKeyErrors = serverLogLines(cluster.postgres, DUPLICATE_KEY) - duplicateKeyErrorsBefore;
      const rollbacks = await withClient(
        cluster.postgres.adminUrl,
        async (admin) => (await rolledBack(admin)) - rollbacksBefore,
      );
      const duplicatedKeys = ops.filter((o) => o.copies > 1).length;
      const intrusions = ops.filter((o) => o.intrusion);
      const sharedKeys = [...new Set(ops.map((o) => o.key))].filter(
        (key) => new Set(ops.filter((o) => o.key === key).map((o) => o.sender)).size > 1,
      );
      summary('storm', cluster, client, started, report, {
        accounts: 6,
        duplicatedKeys,
        crossInstanceDuplicates: crossInstanceDuplicates(client),
        intrusions: intrusions.length,
        sharedKeys: sharedKeys.length,
        uniqueViolations: violations,
        duplicateKeyErrors,
        rolledBackTransactions: rollbacks,
      });

      expect(client.stats.requests).toBeGreaterThanOrEqual(300);
      expect(duplicatedKeys / ops.length).toBeGreaterThanOrEqual(0.3);
      expect(client.stats.status5xx).toBe(0);
      expect(
        violations.reduce((a, b) => a + b, 0),
        'duplicate-key violations the instances counted during the storm',
      ).toBeGreaterThan(0);
      expect(duplicateKeyErrors, "duplicate-key violations in PostgreSQL's own log during the storm").toBeGreaterThan(
        0,
      );
      expect(client.stats.networkErrors).toBe(0);
      expect(client.stats.gaveUp).toBe(0);
      expect(report.unresolved).toBe(0);
      // The hot account was overdrawn: its withdrawals add up to more than all it ever received, so some
      // were refused whatever the order; none went below zero (checked).
      const onHot = (kind: string) =>
        ops
          .filter((o) => o.accountId === accounts.hot && o.kind === kind && !o.intrusion)
          .reduce((sum, o) => sum + toCents(o.amount), 0);
      expect(onHot('withdraw')).toBeGreaterThan(100_00 + onHot('deposit'));
      const hot = client.list().filter((o) => o.request.accountId === accounts.hot && o.request.kind === 'withdraw');
      expect(hot.some((o) => o.responses.some((r) => r.status === 422 && r.body.includes('insufficient-funds')))).toBe(
        true,
      );
      expect(crossInstanceDuplicates(client)).toBeGreaterThanOrEqual(duplicatedKeys * 0.9);
      // Customers with two API keys sent duplicates under both: deduplicated all the same (checked).
      expect(rotatedKeys(client)).toBeGreaterThan(0);

      const db = new pg.Client({ connectionString: cluster.postgres.url });
      await db.connect();
      try {
        // Keys two customers both used are two commands, each in its customer's namespace.
        expect(sharedKeys.length).toBeGreaterThan(0);
        for (const key of sharedKeys) {
          const ids = [...new Set(ops.filter((o) => o.key === key).map((o) => scopedCommandId(o.sender, key)))];
          const { rows } = await db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM commands WHERE command_id = ANY($1)',
            [ids],
          );
          expect(rows[0]!.n, key).toBe(ids.length);
        }

        // A customer withdrawing from another customer's account during the storm: 404, byte for
        // byte what an unknown account answers, and no event (the rejection is recorded as NotOwner).
        expect(probe?.status).toBe(404);
        expect(intrusions.length).toBeGreaterThan(0);
        const intruded = intrusions.map((op) => {
          const final = client.observation(op.sender, op.key)!.responses.find((r) => isFinal(r.status));
          expect({ status: final?.status, body: final?.body }, op.key).toEqual({
            status: 404,
            body: probe!.body.replaceAll(unknown, op.accountId),
          });
          return scopedCommandId(op.sender, op.key);
        });
        const written = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM events WHERE command_key IN (SELECT idem_command_key(id) FROM unnest($1::text[]) AS ids(id))',
          [intruded],
        );
        expect(written.rows[0]!.n).toBe(0);
        const recorded = await db.query<{ status: string; code: string }>(
          `SELECT status, outcome -> 'rejection' ->> 'code' AS code FROM commands WHERE command_id = ANY($1)`,
          [intruded],
        );
        expect(recorded.rows).toEqual(intruded.map(() => ({ status: 'rejected', code: 'NotOwner' })));

        // Transfers: each key sent to all three instances at the same moment → exactly one
        // pair of events and one answer, byte for byte, whichever instance ran it. Two customers
        // send them in turn, each from their own account to the other's number.
        const [mine, theirs] = [accounts.others[0]!, accounts.others[1]!];
        expect(client.account(mine).customerId).not.toBe(client.account(theirs).customerId);
        for (let i = 0; i < 10; i++) {
          const key = `dup-transfer-${randomUUID()}`;
          const [from, to] = i % 2 ? [mine, theirs] : [theirs, mine];
          const sender = client.account(from).customerId;
          const replies = await Promise.all(
            cluster.urls().map(async (url) => {
              const r = await fetch(`${url}/api/transfers`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'idempotency-key': key, ...client.authHeaders(sender) },
                body: JSON.stringify({ from, toAccountNumber: client.account(to).accountNumber, amount: '1.00' }),
              });
              return `${r.status} ${await r.text()}`;
            }),
          );
          // A transfer or a refusal (insufficient funds), never an error, a busy answer or a key conflict.
          expect(replies[0], key).toMatch(/^(201|422) /);
          expect(new Set(replies).size, key).toBe(1);
          const events = await db.query<{ type: string }>(
            'SELECT type FROM events WHERE command_key = idem_command_key($1) ORDER BY type',
            [scopedCommandId(sender, key)],
          );
          expect(
            events.rows.map((r) => r.type),
            key,
          ).toEqual(replies[0]!.startsWith('201') ? ['MoneyTransferredIn', 'MoneyTransferredOut'] : []);
        }
      } finally {
        await db.end();
      }
      // Last: everything the test sent (the duplicate transfers too) is in the count.
      expectCleanLogs(cluster);
    });
  });

  it('kill -9 of the projection leader mid-batch and mid-storm: requests cut in flight, retries on the survivors, nothing acknowledged is lost or doubled', async () => {
    await withCluster({ instances: 3, env: { METRICS_TOKEN } }, async (cluster) => {
      const client = await stormClient(cluster);
      const accounts = await openAccounts(client, 3);
      const ops = planStorm(2, client, accounts, 3, FAULT_STORM);
      const admin = new pg.Client({ connectionString: cluster.postgres.adminUrl });
      const db = new pg.Client({ connectionString: cluster.postgres.url });
      const locker = new pg.Client({ connectionString: cluster.postgres.url });
      await Promise.all([admin.connect(), db.connect(), locker.connect()]);
      const started = Date.now();
      // The projection first catches up with everything written before the storm (the account
      // openings), so progress past this point is progress on the storm's own events.
      await waitUntil(
        async () => {
          const { processed, events } = await projectionProgress(db, DAILY_TOTALS);
          return events > 0 && processed === events;
        },
        60_000,
        'the projection caught up with the account openings',
      );
      const atStart = await projectionProgress(db, DAILY_TOTALS);
      let midStorm = { processed: 0, events: 0, stormEnded: true };
      let leader: Leader | null = null;
      let blocked: { query: string; waiting: string } | null = null;
      let inFlightAtKill = 0;
      let stormEndedAtKill = true;
      // Three waves, each spread over 3 s: the second starts once the projection's table is locked
      // (its events give the leader a batch to block in), the third once the leader is blocked (so
      // requests are in flight when the kill comes). Gated by conditions, never by a clock.
      const [first, second] = [Math.floor(ops.length * 0.5), Math.floor(ops.length * 0.6)];
      const gates = { locked: gate(), blocked: gate() };
      const firstWave = tracked(runStorm(client, ops.slice(0, first), 3));
      const storm = tracked(
        Promise.all([
          firstWave.done,
          gates.locked.promise.then(() => runStorm(client, ops.slice(first, second), 3)),
          gates.blocked.promise.then(() => runStorm(client, ops.slice(second), 3)),
        ]).then(() => {}),
      );
      const fault = (async () => {
        await waitUntil(() => client.resolved() >= 6 + first * 0.25);
        // The leader has processed batches of this storm's events while writers are still sending.
        await waitUntil(
          async () => (await projectionProgress(db, DAILY_TOTALS)).processed > atStart.processed,
          60_000,
          'a projection batch',
        );
        midStorm = { ...(await projectionProgress(db, DAILY_TOTALS)), stormEnded: firstWave.ended() };
        await waitUntil(
          async () => (leader = await projectionLeader(admin, cluster, DAILY_TOTALS)) !== null,
          60_000,
          'a projection leader',
        );
        // Hold its next batch inside its transaction (the projection's table is locked against
        // writes), so the kill lands mid-batch for sure, whatever the timing.
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE daily_account_totals IN SHARE MODE');
        gates.locked.resolve();
        await waitUntil(
          async () => (blocked = await leaderBlockedMidBatch(admin, leader!.backendPid)) !== null,
          60_000,
          'the leader blocked mid-batch',
        );
        gates.blocked.resolve();
        // And requests in flight on it, so the kill cuts some: sent and being served, not still
        // connecting (a kill refuses those instead: one run saw only refusals).
        await waitUntil(
          async () =>
            (client.inFlight[leader!.instance] ?? 0) > 0 &&
            (await servingNow(cluster.instances[leader!.instance]!, METRICS_TOKEN)) > 0,
          60_000,
          'requests in flight on the leader',
        );
        inFlightAtKill = client.inFlight[leader!.instance]!;
        stormEndedAtKill = storm.ended();
        await cluster.kill(leader!.instance, 'SIGKILL');
        await locker.query('COMMIT');
      })();
      try {
        await Promise.all([storm.done, fault]);
        const victim = (leader as Leader | null)!.instance;
        expect(cluster.instances[victim]!.alive).toBe(false);
        const report = await check(cluster, client);
        const cut = cutAttempts(client, victim);
        const cutThenReplayed = cutAfterRecording(client, victim);

        // A surviving instance's runner takes the projection over and catches up; the batch the
        // dead leader held was never committed (nothing counted twice: the totals equal the log).
        let next: Leader | null = null;
        await waitUntil(
          async () => {
            next = await projectionLeader(admin, cluster, DAILY_TOTALS);
            const progress = await projectionProgress(db, DAILY_TOTALS);
            return next !== null && progress.processed === progress.events;
          },
          120_000,
          'a new leader caught up',
        );
        const verification = await verifyProjection(db, DAILY_TOTALS);
        const atEnd = await projectionProgress(db, DAILY_TOTALS);
        summary('kill-9', cluster, client, started, report, {
          killedInstance: victim,
          inFlightAtKill,
          cutInFlight: cut.length,
          cutThenReplayed: cutThenReplayed.length,
          leaderBlockedOn: blocked && {
            query: (blocked as { query: string }).query.slice(0, 40),
            waiting: (blocked as { waiting: string }).waiting,
          },
          processedMidStorm: midStorm,
          newLeader: (next as Leader | null)?.instance,
        });

        expect(client.stats.networkErrors).toBeGreaterThan(0); // the kill was felt
        expect(client.stats.gaveUp).toBe(0);
        expect(report.unresolved).toBe(0);
        expectOnly503s(client);
        // The survivors lived through it.
        expect(
          cluster.instances
            .filter((i) => i.index !== victim)
            .map((i) => ({ index: i.index, alive: i.alive, exit: i.exit })),
        ).toEqual(
          cluster.instances.filter((i) => i.index !== victim).map((i) => ({ index: i.index, alive: true, exit: null })),
        );
        // Requests were cut in flight (a reset connection, not a refused one). Some of them may have
        // been recorded by the cut attempt itself (no send of the key, duplicates included, got a
        // first-hand answer; its retry on a survivor got the outcome as a replay): how many depends on
        // where each request was at the kill (6 of 59 in one run, none in another), so the count is
        // reported, not required; the invariants below hold for every one of them either way.
        expect(stormEndedAtKill, 'the kill struck mid-storm').toBe(false);
        expect(inFlightAtKill).toBeGreaterThan(0);
        expect(
          Object.keys(client.stats.networkErrorKinds).some(isCutInFlight),
          JSON.stringify(client.stats.networkErrorKinds),
        ).toBe(true);
        console.log(
          `[cluster] kill-9: ${cutThenReplayed.length} key(s) cut in flight after being recorded, answered only by replays`,
        );
        // Projection batches processed the storm's own events while writers were active, and the leader died inside one.
        expect(atStart.processed).toBe(atStart.events);
        expect(midStorm.stormEnded).toBe(false);
        expect(midStorm.processed).toBeGreaterThan(atStart.events);
        expect(atEnd.events).toBeGreaterThan(midStorm.events);
        expect((blocked as { query: string } | null)?.query).toMatch(/INSERT INTO daily_account_totals/);
        expect((next as Leader | null)?.instance).not.toBe(victim);
        expect(verification.differences).toEqual([]);
      } finally {
        await locker.end().catch(() => {});
        await Promise.all([admin.end(), db.end()]);
      }
      const victim = (leader as Leader | null)!.instance;

      // Restarted, the killed instance replays what the others answered, byte for byte.
      await cluster.restart(victim);
      const sample = client
        .list()
        .filter((o) => o.request.kind !== 'open')
        .slice(0, 20);
      for (const observation of sample) {
        const final = observation.responses.find((r) => isFinal(r.status))!;
        const replay = await fetch(cluster.instances[victim]!.url + observation.request.path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': observation.key,
            ...client.authHeaders(observation.request.customerId),
          },
          body: JSON.stringify(observation.request.body),
        });
        expect({
          status: replay.status,
          body: await replay.text(),
          replayed: replay.headers.get('idempotent-replayed'),
        }).toEqual({
          status: final.status,
          body: final.body,
          replayed: 'true',
        });
      }
      expect(cluster.instances.every((i) => i.alive)).toBe(true);
      // Last: the whole run, the restarted instance's replays included.
      expectCleanLogs(cluster);
    });
  });

  it('pg_terminate_backend of the app connections mid-storm: the pools recover, retries complete', async () => {
    await withCluster({ instances: 3 }, async (cluster) => {
      const client = await stormClient(cluster);
      const accounts = await openAccounts(client, 3);
      const ops = planStorm(3, client, accounts, 3, FAULT_STORM);
      const admin = new pg.Client({ connectionString: cluster.postgres.adminUrl });
      await admin.connect();
      const started = Date.now();
      // Each wave: the app's pooled connections that PostgreSQL really terminated (the projection
      // runners' own connections excluded), and whether the storm was still running after it.
      const waves: { terminated: number; stormEnded: boolean }[] = [];
      const storm = tracked(runStorm(client, ops, 3));
      const fault = (async () => {
        for (const share of [0.2, 0.45, 0.7]) {
          await waitUntil(() => client.resolved() >= 6 + ops.length * share);
          const terminated = await terminateAppBackends(admin);
          waves.push({ terminated, stormEnded: storm.ended() });
        }
      })();
      try {
        await Promise.all([storm.done, fault]);
      } finally {
        await admin.end();
      }
      const report = await check(cluster, client);
      summary('pg_terminate_backend', cluster, client, started, report, {
        waves,
        unavailableLines: unavailableLines(cluster),
      });

      expect(waves, 'every wave terminated app connections while the storm was running').toEqual(
        waves.map((w) => ({ terminated: w.terminated, stormEnded: false })),
      );
      expect(Math.min(...waves.map((w) => w.terminated))).toBeGreaterThan(0);
      // Commands on a terminated connection were answered 503 (retried with the same key), never 500,
      // and no connection to the clients dropped.
      expect(client.stats.byStatus['503'] ?? 0).toBeGreaterThan(0);
      expect(unavailableLines(cluster), 'the instances logged the outage ("database unavailable")').toBeGreaterThan(0);
      expect(client.stats.networkErrors).toBe(0);
      expectOnly503s(client);
      expect(client.stats.gaveUp).toBe(0);
      expect(report.unresolved).toBe(0);
      expect(cluster.instances.every((i) => i.alive)).toBe(true);
      await expectServing(cluster, client, accounts.others[0]!);
      expectCleanLogs(cluster);
    });
  });

  it('PostgreSQL stopped with -m immediate mid-storm and restarted on the same port: instances recover without restart', async () => {
    await withCluster({ instances: 3 }, async (cluster) => {
      const client = await stormClient(cluster);
      const accounts = await openAccounts(client, 3);
      const ops = planStorm(4, client, accounts, 3, { ...FAULT_STORM, spreadMs: 4_000 });
      const pids = cluster.instances.map((i) => i.pid);
      const postmasterBefore = cluster.postgres.pid();
      const started = Date.now();
      let downMs = 0;
      let unavailableWhileDown = 0;
      const fault = (async () => {
        await waitUntil(() => client.resolved() >= 6 + ops.length * 0.25);
        const down = Date.now();
        const before = client.stats.byStatus['503'] ?? 0;
        await cluster.postgres.stopImmediate();
        // The outage's length is part of the fault, not a wait for a condition. (One run that held
        // it down until the clients' first 503 instead saw three requests unanswered past the
        // clients' 30 s timeout, and only one 503 during the outage: not yet understood.)
        await sleep(1_500);
        unavailableWhileDown = (client.stats.byStatus['503'] ?? 0) - before;
        await cluster.postgres.restart();
        downMs = Date.now() - down;
      })();
      await Promise.all([runStorm(client, ops, 3), fault]);
      const report = await check(cluster, client);
      summary('postgres-immediate-stop', cluster, client, started, report, {
        postgresDownMs: downMs,
        unavailableWhileDown,
        unavailableLines: unavailableLines(cluster),
      });

      expect(cluster.postgres.pid()).not.toBe(postmasterBefore);
      expect(cluster.instances.map((i) => i.pid)).toEqual(pids);
      expect(cluster.instances.every((i) => i.alive)).toBe(true);
      // The outage was felt as 503s (retried with the same key), never as a 500 or a dropped connection.
      expect(client.stats.byStatus['503'] ?? 0).toBeGreaterThan(0);
      expect(unavailableLines(cluster), 'the instances logged the outage ("database unavailable")').toBeGreaterThan(0);
      expect(client.stats.networkErrors).toBe(0);
      expectOnly503s(client);
      expect(client.stats.gaveUp).toBe(0);
      expect(report.unresolved).toBe(0);
      await expectServing(cluster, client, accounts.others[0]!);
      expectCleanLogs(cluster);
    });
  });

  it('ambiguous commit through a TCP proxy: committed, reply cut → 5xx, the retry gets the original outcome, one event', async () => {
    const pgPort = await freePort();
    const proxy = await PgProxy.start({ port: pgPort });
    const isCommandWrite = (sql: string) => sql.includes('INSERT INTO commands');
    try {
      // Instance 0 reaches PostgreSQL through the proxy, instance 1 directly.
      await withCluster(
        { instances: 2, port: pgPort, instanceDatabaseUrl: (i, url) => (i === 0 ? proxy.url(url) : url) },
        async (cluster) => {
          const client = await stormClient(cluster, [2, 1]);
          const [owner, other] = client.customers as [ApiCustomer, ApiCustomer];
          const started = Date.now();
          const account = await client.openAccount(owner, 'Ambiguous', '100.00', 1);
          const payee = await client.openAccount(other, 'Payee', '0.00', 1);
          const db = new pg.Client({ connectionString: cluster.postgres.url });
          await db.connect();
          const firstStatuses: number[] = [];
          try {
            // One at a time: each command's one-statement commit is cut, then retried on the same
            // instance (stride 0, a new pooled connection) or on the other one (stride 1).
            const cases = [
              { kind: 'deposit', amount: '10.00', stride: 0, expected: 201, events: 1 },
              { kind: 'withdraw', amount: '5.00', stride: 1, expected: 201, events: 1 },
              { kind: 'withdraw', amount: '1000.00', stride: 0, expected: 422, events: 0 },
              { kind: 'open', amount: '7.00', stride: 1, expected: 201, events: 2 },
              { kind: 'transfer', amount: '3.00', stride: 0, expected: 201, events: 2 },
              { kind: 'deposit', amount: '0.99', stride: 1, expected: 201, events: 1 },
            ] as const;
            for (const c of cases) {
              const key = `ambiguous-${c.kind}-${randomUUID()}`;
              const cut = proxy.armCutAfter(isCommandWrite, 1);
              const customerId = owner.id;
              const request: ObservedRequest =
                c.kind === 'open'
                  ? {
                      kind: 'open',
                      customerId,
                      path: '/api/accounts',
                      body: { name: 'Opened Ambiguously', openingDeposit: c.amount },
                    }
                  : c.kind === 'transfer'
                    ? {
                        kind: 'transfer',
                        customerId,
                        toAccountId: payee,
                        path: '/api/transfers',
                        body: { from: account, toAccountNumber: client.account(payee).accountNumber, amount: c.amount },
                      }
                    : {
                        kind: c.kind,
                        customerId,
                        accountId: account,
                        path: `/api/accounts/${account}/${c.kind === 'deposit' ? 'deposits' : 'withdrawals'}`,
                        body: { amount: c.amount },
                      };
              const final = await client.send(request, key, { instance: 0, stride: c.stride });
              const [record] = await cut;
              const seen = client.observation(customerId, key)!.responses;
              firstStatuses.push(seen[0]!.status);
              expect(record, 'PostgreSQL committed the statement whose reply was cut').toMatchObject({
                serverReply: 'committed',
                inTransaction: false,
              });
              expect(seen[0]!.status, `first attempt: ${seen[0]!.body}`).toBe(503);
              expect(JSON.parse(seen[0]!.body)).toMatchObject({ type: '/problems/service-unavailable' });
              expect(final?.status).toBe(c.expected);
              expect(final?.replayed, 'the retry replays the outcome committed by the cut attempt').toBe(true);
              const { rows } = await db.query<{ events: number; commands: number }>(
                `SELECT (SELECT count(*)::int FROM events WHERE command_key = idem_command_key($1)) AS events, (SELECT count(*)::int FROM commands WHERE command_id = $1) AS commands`,
                [scopedCommandId(customerId, key)],
              );
              expect(rows[0]).toEqual({ commands: 1, events: c.events });
            }
          } finally {
            await db.end();
          }

          // Contention on one account through instance 0: after a first conflict the handler retries
          // in an interactive transaction (BEGIN, stream lock, load, INSERT, COMMIT). Cut 3 of those
          // COMMITs: PostgreSQL commits, the app hears nothing.
          const cutsBefore = proxy.stats.cuts;
          const queuedCuts = proxy.armCutAfter((sql, { inTransaction }) => inTransaction && isCommandWrite(sql), 3);
          const contended = Array.from({ length: 40 }, () => ({ key: `queued-${randomUUID()}`, amount: '0.50' }));
          await Promise.all(contended.map((c) => client.deposit(account, c.amount, c.key, { instance: 0, stride: 0 })));
          await proxy.disarm();
          const queuedCutRecords = await queuedCuts;
          expect(queuedCutRecords.length).toBe(proxy.stats.cuts - cutsBefore);
          const queuedCutCommands = expectCutCommandsReplayed(client, queuedCutRecords, 0);
          const cutAnswers = contended
            .map((c) => client.observation(owner.id, c.key)!.responses)
            .filter((r) => r.length > 1)
            .map((r) => r[0]!.status);

          // The same, in a small storm: 8 cuts among concurrent commands, duplicates on instance 1.
          const others = await Promise.all([
            client.openAccount(owner, 'Cut 1', '200.00', 1),
            client.openAccount(other, 'Cut 2', '200.00', 1),
          ]);
          const stormCuts = proxy.armCutAfter(isCommandWrite, 8);
          const before = proxy.stats.cuts;
          const ops = planStorm(5, client, { hot: account, others: [payee, ...others] }, 2, {
            unique: 100,
            hotShare: 0.3,
            transferShare: 0.15,
            duplicateShare: 0.4,
            spreadMs: 1_000,
            firstInstance: 0,
            intrusionShare: 0.05,
          });
          await runStorm(client, ops, 2);
          await proxy.disarm();
          const stormCutRecords = await stormCuts;
          const cutsInStorm = proxy.stats.cuts - before;
          expect(stormCutRecords.length).toBe(cutsInStorm);
          const stormCutCommands = expectCutCommandsReplayed(client, stormCutRecords, 0);
          const report = await check(cluster, client);
          summary('ambiguous-commit', cluster, client, started, report, {
            proxyCuts: proxy.stats.cuts,
            oneByOne: firstStatuses.length,
            queuedTransactionCuts: queuedCutRecords.length,
            queuedCutCommands,
            queuedCutFirstAnswers: cutAnswers,
            cutsInStorm,
            stormCutCommands,
          });

          expect(queuedCutRecords.length).toBeGreaterThan(0);
          expect(queuedCutCommands).toBeGreaterThan(0);
          expect(cutsInStorm).toBe(8);
          expect(stormCutCommands).toBeGreaterThan(0);
          expectOnly503s(client);
          expect(client.stats.gaveUp).toBe(0);
          expect(report.unresolved).toBe(0);
          expect(report.answeredOnlyByReplay).toBeGreaterThanOrEqual(6);
          expectCleanLogs(cluster);
        },
      );
    } finally {
      await proxy.close();
    }
  });
});
