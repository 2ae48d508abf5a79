// The one PostgreSQL server every benchmark of a run uses: a fresh embedded server (data under /tmp,
// removed afterwards) with synchronous_commit=on and pg_stat_statements preloaded, or the server of
// DATABASE_URL. Each contender gets a database of its own on it, created fresh for the run.
import { postgresFromEnv } from '../../lib/db/embedded-postgres';
import { withClient } from '../../lib/db/with-client';
import { benchPort } from './ports';

export type BenchServer = {
  /** URL of database `name` on this server. */
  url: (name: string) => string;
  /** Drops (if present) and creates database `name`. */
  freshDatabase: (name: string) => Promise<string>;
  embedded: boolean;
  /** The embedded server's postmaster (for CPU accounting); null for DATABASE_URL. */
  pgPid: number | null;
  settings: Record<string, string>;
  statStatements: boolean;
  stop: () => Promise<void>;
};

export async function startBenchServer(log: (line: string) => void): Promise<BenchServer> {
  const external = process.env.DATABASE_URL;
  const server = await postgresFromEnv({
    database: 'postgres',
    // In this work tree's block of ports when BENCH_PG_PORTS says so (bench/measurement/ports.ts).
    port: external || !process.env.BENCH_PG_PORTS ? undefined : await benchPort('BENCH_PG_PORTS'),
    settings: {
      synchronous_commit: 'on',
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track_utility': 'on',
    },
  });
  const base = new URL(server.adminUrl);
  const pgPid = server.pid();
  log(
    external
      ? `PostgreSQL: DATABASE_URL (${base.host})`
      : `PostgreSQL: fresh embedded server on port ${server.port} (pid ${pgPid}), data in ${server.dataDir}`,
  );
  const url = (name: string) => {
    const u = new URL(base);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const admin = url('postgres');
  const settings = await withClient(admin, async (c) => {
    const names = [
      'server_version',
      'synchronous_commit',
      'fsync',
      'wal_sync_method',
      'shared_buffers',
      'max_connections',
      'shared_preload_libraries',
    ];
    const { rows } = await c.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
      [names],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} (${r.unit})` : r.setting]));
  });
  if (settings.synchronous_commit !== 'on')
    throw new Error(`synchronous_commit is ${settings.synchronous_commit}, the suite needs on`);
  const statStatements = (settings.shared_preload_libraries ?? '').includes('pg_stat_statements');
  return {
    url,
    embedded: !external,
    pgPid,
    settings,
    statStatements,
    async freshDatabase(name) {
      await withClient(admin, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.query(`CREATE DATABASE "${name}"`);
      });
      if (statStatements)
        await withClient(url(name), (c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
      return url(name);
    },
    stop: server.stop,
  };
}

/** Flushes dirty pages so that one contender's checkpoint does not land in the next one's window. */
export async function checkpoint(url: string): Promise<void> {
  await withClient(url, (c) => c.query('CHECKPOINT'));
}
