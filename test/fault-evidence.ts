// Evidence that the faults and races of the storm tests (test/storm.cluster.test.ts) happened and
// were absorbed the way the tests claim: no 500 and no uncaught error anywhere,
// backends of the app (not the projection runners') terminated, requests cut in flight, duplicate-key
// violations seen by PostgreSQL, the projection leader found and stopped mid-batch.
import { spawnSync } from 'node:child_process';
import type pg from 'pg';
import { expect } from 'vitest';
import { PROJECTION_LOCK_CLASS } from '../lib/projections/runner';
import type { Cluster } from '../lib/cluster';
import type { Observation, ObservedResponse } from './invariants';
import { parseMetrics, valueOf } from './prometheus-text';
import { isFinal, type StormClient } from './storm';

/** Every instance's log, counted line by line as it arrived: no "unexpected error" (a 500), nothing uncaught. */
export function expectCleanLogs(cluster: Cluster): void {
  for (const { index, errors } of cluster.instances) {
    expect({ instance: index, internal: errors.internal, uncaught: errors.uncaught }, errors.excerpts.join('\n')).toEqual({
      instance: index,
      internal: 0,
      uncaught: 0,
    });
  }
}

/** Every 5xx the clients saw was a 503 (the database was unavailable): no 500 internal-error, retried or not. */
export function expectOnly503s(client: StormClient): void {
  const serverErrors = Object.keys(client.stats.byStatus).filter((status) => Number(status) >= 500 && status !== '503');
  expect(serverErrors, JSON.stringify(client.stats.byStatus)).toEqual([]);
}

/** Network error kinds of a connection that was open and then dropped (not refused: nothing was listening). */
export const isCutInFlight = (kind: string | undefined) => !!kind && /ECONNRESET|UND_ERR_SOCKET|other side closed|EPIPE|socket hang up/i.test(kind);

/**
 * Attempts cut in flight by the death of `instance`, each with what its send finally got: keys whose
 * attempt there got no answer (a reset connection) and whose final answer was a replay prove that
 * a request was in flight and that its retry found the command already recorded.
 */
export function cutAttempts(client: StormClient, instance: number): { observation: Observation; cut: ObservedResponse; final: ObservedResponse | undefined }[] {
  return client
    .list()
    .flatMap((observation) =>
      observation.responses
        .filter((r) => r.status === 0 && r.instance === instance && isCutInFlight(r.error))
        .map((cut) => ({ observation, cut, final: observation.responses.find((r) => r.send === cut.send && isFinal(r.status)) })),
    );
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
export async function leaderBlockedMidBatch(admin: pg.Client, backendPid: number): Promise<{ query: string; waiting: string } | null> {
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

/** Transactions PostgreSQL rolled back in database `idem` so far (a failed autocommit statement counts). */
export async function rolledBack(admin: pg.Client): Promise<number> {
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ n: string }>(`SELECT xact_rollback::text AS n FROM pg_stat_database WHERE datname = 'idem'`);
  return Number(rows[0]!.n);
}
