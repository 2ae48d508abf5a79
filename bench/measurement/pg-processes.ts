// PostgreSQL's CPU by process kind over a window: which of its processes did the work the counters
// of the whole server report (the request pool's backends, a follower's connection, the WAL writer,
// autovacuum…). Processes are named by pg_stat_activity: a client backend by its application_name
// (the instance's pid suffix dropped), any other by its backend type. What processes that exited
// during the window used is reported as "exited".
import type pg from 'pg';
import { ownTicks, TICKS_PER_SECOND, treeTicks } from './cpu';

export type PgProcessSample = {
  at: number;
  total: number;
  byPid: Map<number, { label: string; ticks: number }>;
  /** Sessions opened on the server so far (pg_stat_database, every database). */
  sessions: number;
};

export async function samplePgProcesses(pgPid: number, client: pg.Client): Promise<PgProcessSample> {
  const { rows } = await client.query<{ pid: number; type: string | null; app: string | null }>(
    'SELECT pid, backend_type AS type, application_name AS app FROM pg_stat_activity',
  );
  const own = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const byPid = new Map<number, { label: string; ticks: number }>();
  for (const r of rows) {
    const label =
      r.pid === own
        ? 'the benchmark (this sampler)'
        : r.type === 'client backend'
          ? r.app
            ? r.app.replace(/-\d+$/, '')
            : 'request pool (no application_name)'
          : (r.type ?? 'unknown');
    byPid.set(r.pid, { label, ticks: ownTicks(r.pid) });
  }
  byPid.set(pgPid, { label: 'postmaster', ticks: ownTicks(pgPid) });
  const sessions = Number(
    (await client.query<{ n: string }>('SELECT sum(sessions)::text AS n FROM pg_stat_database')).rows[0]?.n ?? 0,
  );
  return { at: Date.now(), total: treeTicks([pgPid]), byPid, sessions };
}

/** CPU ms per label between two samples, most first; processes that appeared count from zero. */
export function pgCpuByLabel(a: PgProcessSample, b: PgProcessSample): { label: string; ms: number }[] {
  const ms = new Map<string, number>();
  let attributed = 0;
  for (const [pid, end] of b.byPid) {
    const start = a.byPid.get(pid)?.ticks ?? 0;
    const used = ((end.ticks - start) * 1000) / TICKS_PER_SECOND;
    attributed += used;
    ms.set(end.label, (ms.get(end.label) ?? 0) + used);
  }
  const total = ((b.total - a.total) * 1000) / TICKS_PER_SECOND;
  ms.set('exited', Math.max(0, total - attributed));
  return [...ms]
    .map(([label, used]) => ({ label, ms: used }))
    .filter((r) => r.ms > 0)
    .sort((x, y) => y.ms - x.ms);
}

/** Sessions (connections) the server accepted between two samples. */
export const sessionsOpened = (a: PgProcessSample, b: PgProcessSample): number => b.sessions - a.sessions;

/**
 * Watches pg_stat_activity every `everyMs` until stopped: the sessions that appeared meanwhile, by
 * application_name, user and the first statement seen on them (what opens connections under load).
 */
export function watchNewSessions(client: pg.Client, everyMs = 25): { stop: () => Promise<Map<string, number>> } {
  let before: Set<number> | null = null; // the sessions there when watching began
  const seen = new Map<number, string>();
  let stopped = false;
  const poll = async () => {
    const { rows } = await client.query<{
      pid: number;
      app: string;
      usename: string | null;
      query: string;
      type: string;
    }>(
      `SELECT pid, application_name AS app, usename, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query, backend_type AS type
         FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
    );
    if (!before) before = new Set(rows.map((r) => r.pid));
    for (const r of rows)
      if (!before.has(r.pid) && !seen.has(r.pid))
        seen.set(r.pid, `${r.type} ${r.usename ?? ''} ${r.app || '(no application_name)'}: ${r.query}`);
  };
  const loop = (async () => {
    await poll();
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      await poll();
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      const counts = new Map<string, number>();
      for (const what of seen.values()) counts.set(what, (counts.get(what) ?? 0) + 1);
      return counts;
    },
  };
}
