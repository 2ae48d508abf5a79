// Evidence that the faults and races of the storm tests (test/storm.cluster.test.ts) happened and
// were absorbed the way the tests claim: no 500 and no uncaught error anywhere,
// backends of the app (not the projection runners') terminated, requests cut in flight, duplicate-key
// violations seen by PostgreSQL, the projection leader found and stopped mid-batch. The helpers that
// judge evidence are tested with planted violations (test/fault-evidence.test.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import { PROJECTION_LOCK_CLASS } from '../lib/projections/runner';
import type { Cluster } from './cluster';
import type { RunningPostgres } from '../lib/db/embedded-postgres';
import { commandIdOf, type Observation, type ObservedResponse } from './invariants';
import { parseMetrics, valueOf } from './prometheus-text';
import { isFinal, type StormClient } from './storm';
import type { CutRecord } from './tcp-proxy';

/**
 * Every instance's log, counted line by line as it arrived (lib/cluster/instance-log.ts): no
 * "unexpected error" (a 500), nothing uncaught, no exit the cluster did not cause. Call it last,
 * after everything the test sends.
 */
export function expectCleanLogs(cluster: Pick<Cluster, 'instances'>): void {
  for (const { index, errors } of cluster.instances) {
    expect(
      {
        instance: index,
        internal: errors.internal,
        uncaught: errors.uncaught,
        unexpectedExits: errors.unexpectedExits,
      },
      errors.excerpts.join('\n'),
    ).toEqual({ instance: index, internal: 0, uncaught: 0, unexpectedExits: 0 });
  }
}

/** "database unavailable" lines (answered 503) over all instances: the positive control of a database fault. */
export const unavailableLines = (cluster: Pick<Cluster, 'instances'>) =>
  cluster.instances.reduce((n, i) => n + i.notices.unavailable, 0);

/** Every 5xx the clients saw was a 503 (the database was unavailable): no 500 internal-error, retried or not. */
export function expectOnly503s(client: Pick<StormClient, 'stats'>): void {
  const serverErrors = Object.keys(client.stats.byStatus).filter((status) => Number(status) >= 500 && status !== '503');
  expect(serverErrors, JSON.stringify(client.stats.byStatus)).toEqual([]);
}

/** Network error kinds of a connection that was open and then dropped (not refused: nothing was listening). */
export const isCutInFlight = (kind: string | undefined) =>
  !!kind && /ECONNRESET|UND_ERR_SOCKET|other side closed|EPIPE|socket hang up/i.test(kind);

type Observations = Pick<StormClient, 'list'>;

/** Some send of the key got a final answer first-hand (not a replay): that send ran or refused the command itself. */
const answeredFirstHand = (o: Observation) => o.responses.some((r) => isFinal(r.status) && !r.replayed);

/**
 * Attempts cut in flight by the death of `instance`, each with what its send finally got and whether
 * any send of the key (a duplicate copy included) got a first-hand final answer.
 */
export function cutAttempts(
  client: Observations,
  instance: number,
): { observation: Observation; cut: ObservedResponse; final: ObservedResponse | undefined; firstHand: boolean }[] {
  return client.list().flatMap((observation) =>
    observation.responses
      .filter((r) => r.status === 0 && r.instance === instance && isCutInFlight(r.error))
      .map((cut) => ({
        observation,
        cut,
        final: observation.responses.find((r) => r.send === cut.send && isFinal(r.status)),
        firstHand: answeredFirstHand(observation),
      })),
  );
}

/**
 * Keys that prove a request was cut in flight on `instance` AFTER it recorded its command: an attempt
 * there was cut (a reset connection), the cut send was finally answered by a replay, and no send of
 * the key ever got a first-hand final answer, so the command was recorded by an attempt nobody heard
 * (the cut one). A duplicate copy answered first-hand on a survivor makes the key no evidence: the
 * cut send's retry would replay the copy's outcome whether or not the cut attempt recorded anything.
 */
export function cutAfterRecording(client: Observations, instance: number): Observation[] {
  const keys = new Set(
    cutAttempts(client, instance)
      .filter((c) => c.final?.replayed === true && !c.firstHand)
      .map((c) => c.observation),
  );
  return [...keys];
}

/**
 * Every command a cut statement committed (found by its id in the statement's parameters): the HTTP
 * attempt the cut struck (on `instance`, its span containing the moment of the cut) was answered 503,
 * and every final answer the command ever got was a replay — nobody heard the outcome first-hand, the
 * retries found it recorded. A cut whose verdict PostgreSQL never gave ('none') fails: its outcome is
 * unknown, so nothing could be checked. Returns how many commands the committed cuts recorded.
 */
export function expectCutCommandsReplayed(client: Observations, records: CutRecord[], instance: number): number {
  let commands = 0;
  for (const record of records) {
    expect(record.parameters, record.sql).toBeDefined();
    expect(record.serverReply, `PostgreSQL's verdict on the cut statement ${record.sql.slice(0, 60)}`).not.toBe('none');
    if (record.serverReply !== 'committed') continue; // PostgreSQL refused it (a conflict): nothing was recorded
    const cut = client.list().filter((o) => record.parameters!.includes(JSON.stringify(commandIdOf(o)).slice(1, -1)));
    expect(cut.length, `commands in the cut statement ${record.sql.slice(0, 60)}`).toBeGreaterThan(0);
    for (const o of cut) {
      const finals = o.responses.filter((r) => isFinal(r.status));
      // The attempts on the proxied instance in flight at the moment of the cut: the cut one among them.
      const atCut = o.responses.filter(
        (r) =>
          r.instance === instance &&
          r.at !== undefined &&
          r.ms !== undefined &&
          r.at <= record.at &&
          record.at <= r.at + r.ms,
      );
      expect(
        {
          key: o.key,
          cutAttemptAnswered503:
            atCut.some((r) => r.status === 503) &&
            atCut.every((r) => r.status === 503 || (isFinal(r.status) && r.replayed)),
          finals: finals.map((r) => r.replayed),
        },
        JSON.stringify({
          cutAt: record.at,
          responses: o.responses.map((r) => [r.instance, r.status, r.replayed, r.at, r.ms]),
        }),
      ).toEqual({ key: o.key, cutAttemptAnswered503: true, finals: finals.map(() => true) });
      expect(finals.length, o.key).toBeGreaterThan(0);
    }
    commands += cut.length;
  }
  return commands;
}

/**
 * Terminates the app's pooled backends on database `idem` (never the projection runners' own
 * connections, named idem-projections-<pid>, nor this one) and returns how many terminations succeeded.
 */
export async function terminateAppBackends(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = 'idem' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        AND application_name NOT LIKE 'idem-projections-%'`,
  );
  return rows[0]!.n;
}

export type Leader = { backendPid: number; appPid: number; instance: number };

/** Who runs projection `name`: the backend holding its advisory lock and the instance it belongs to. */
export async function projectionLeader(admin: pg.Client, cluster: Cluster, name: string): Promise<Leader | null> {
  const { rows } = await admin.query<{ pid: number; app: string }>(
    `SELECT l.pid, a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = hashtext($2)::oid`,
    [PROJECTION_LOCK_CLASS, name],
  );
  const row = rows[0];
  const appPid = Number(/^idem-projections-(\d+)$/.exec(row?.app ?? '')?.[1]);
  if (!row || !appPid) return null;
  const instance = cluster.instances.find((i) => i.alive && i.pid !== null && processGroup(i.pid).includes(appPid));
  return instance ? { backendPid: row.pid, appPid, instance: instance.index } : null;
}

/** The pids of a process group (an instance runs in a group of its own: `next start` may fork). */
function processGroup(pgid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

/** The leader's backend right now: inside a transaction, waiting on a lock (its batch cannot finish). */
export async function leaderBlockedMidBatch(
  admin: pg.Client,
  backendPid: number,
): Promise<{ query: string; waiting: string } | null> {
  const { rows } = await admin.query<{ query: string; waiting: string }>(
    `SELECT query, wait_event_type || ':' || wait_event AS waiting FROM pg_stat_activity
      WHERE pid = $1 AND xact_start IS NOT NULL AND wait_event_type = 'Lock'`,
    [backendPid],
  );
  return rows[0] ?? null;
}

/** Events the daily-totals runner has processed (its checkpoint) and events in the log. */
export async function projectionProgress(db: pg.Client, name: string): Promise<{ processed: number; events: number }> {
  const { rows } = await db.query<{ processed: number; events: number }>(
    `SELECT coalesce((SELECT events_processed FROM projection_checkpoints WHERE name = $1), 0)::int AS processed, (SELECT count(*) FROM events)::int AS events`,
    [name],
  );
  return rows[0]!;
}

/** Duplicate-key violations PostgreSQL reported to the instances (idem_write_conflicts_total{kind="unique"}), summed. */
export async function uniqueViolations(cluster: Cluster, token: string): Promise<number[]> {
  return Promise.all(
    cluster.instances.map(async (instance) => {
      const response = await fetch(`${instance.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return valueOf(parseMetrics(await response.text()), 'idem_write_conflicts_total', { kind: 'unique' });
    }),
  );
}

/**
 * Requests an instance is serving now (its `idem_http_requests_in_flight` gauge), this one excluded:
 * requests a client has started may still be connecting, and a kill refuses those instead of cutting them.
 */
export async function servingNow(instance: { url: string }, token: string): Promise<number> {
  const response = await fetch(`${instance.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return valueOf(parseMetrics(await response.text()), 'idem_http_requests_in_flight', {}) - 1;
}

/** Transactions PostgreSQL rolled back in database `idem` so far (a failed autocommit statement counts). */
export async function rolledBack(admin: pg.Client): Promise<number> {
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ n: string }>(
    `SELECT xact_rollback::text AS n FROM pg_stat_database WHERE datname = 'idem'`,
  );
  return Number(rows[0]!.n);
}

/** PostgreSQL's own report of a unique violation (23505), one ERROR line per refused statement. */
export const DUPLICATE_KEY = /ERROR: +duplicate key value violates unique constraint/;

/**
 * Lines of the embedded server's log (<dataDir>/server.log) matching `pattern`: what PostgreSQL
 * itself reported, not what the app says it saw. Take a count before the fault and compare.
 */
export function serverLogLines(postgres: Pick<RunningPostgres, 'dataDir'>, pattern: RegExp): number {
  if (!postgres.dataDir) throw new Error("the server log is read from the embedded server's data directory");
  return countLines(readFileSync(path.join(postgres.dataDir, 'server.log'), 'utf8'), pattern);
}

export const countLines = (text: string, pattern: RegExp) =>
  text.split('\n').filter((line) => pattern.test(line)).length;
