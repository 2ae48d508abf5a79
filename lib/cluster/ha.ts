// PostgreSQL with failover for `npm run cluster -- --ha` and the failover tests: etcd, three
// PostgreSQL 15 nodes under Patroni (synchronous replication, strict) and HAProxy with a primary port
// and a replicas port (lib/cluster/ha-config.ts). Server processes run as the `postgres` user
// (PostgreSQL refuses root) through setpriv, which execs: the pid we hold is Patroni's own, so a
// test can kill it, or its postmaster, with SIGKILL. Plain Node, never imported by request code.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, externalPostgres, type RunningPostgres } from '../db/embedded-postgres';
import { isAlive, postmasterPid } from '../db/postmaster';
import { ensureAppRole, grantAppRole } from '../db/roles';
import { withClient } from '../db/with-client';
import { etcdArgs, haproxyConfig, patroniConfig, type HaNodeSpec, type HaPorts, type HaSecrets } from './ha-config';
import { HAPROXY_BIN } from './haproxy';

const PG_USER = 'postgres';
const APP_ROLE = 'idem_app';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type HaOptions = {
  /** Everything lives here (etcd, the nodes' data, configs, secrets); default .data/ha. */
  dir: string;
  /** Wipe `dir` first. */
  fresh?: boolean;
  /** Fixed ports (npm run cluster); default free ones. */
  ports?: Partial<HaPorts> & { nodes?: { pgPort: number; restPort: number }[] };
  /** Extra PostgreSQL settings for every node (bootstrap only: e.g. recovery_min_apply_delay). */
  settings?: Record<string, string | number>;
  log?: (line: string) => void;
};

type MemberState = { name: string; role: string; state: string; timeline?: number; lag?: number | string };

type HaNode = HaNodeSpec & { patroni: ChildProcess | null; log: string };

export type HaPostgres = {
  ports: HaPorts;
  nodes: HaNode[];
  /** The application role through HAProxy's primary port (DATABASE_URL). */
  url: string;
  /** The application role through HAProxy's replicas port (DATABASE_REPLICA_URL). */
  replicaUrl: string;
  /** The owner (superuser) through the primary port: migrations, test fixtures. */
  ownerUrl: string;
  /** The owner on one node directly (tests that look at a node's own state). */
  nodeUrl: (name: string, database?: string) => string;
  /** A handle startCluster takes for `databaseUrl`: it never stops these servers. */
  running: () => RunningPostgres;
  members: () => Promise<MemberState[]>;
  leader: () => Promise<string | null>;
  /** Waits until a leader runs and `replicas` members stream from it (and one is sync). */
  waitHealthy: (replicas?: number, timeoutMs?: number) => Promise<MemberState[]>;
  /** kill -9 of the node's postmaster (Patroni stays and restarts it). */
  killPostmaster: (name: string) => void;
  /** kill -9 of the node's Patroni and postmaster together, as if the machine died. */
  killMachine: (name: string) => Promise<void>;
  /** Stops the node's Patroni (and so its PostgreSQL) cleanly. */
  stopNode: (name: string) => Promise<void>;
  /** Starts the node's Patroni again (it rejoins: pg_rewind when it was the leader). */
  startNode: (name: string) => Promise<void>;
  stop: () => Promise<void>;
};

function ownedByPostgres(dir: string, mode = 0o700, file = false) {
  if (!file) mkdirSync(dir, { recursive: true });
  const uid = Number(spawnSync('id', ['-u', PG_USER]).stdout.toString().trim());
  const gid = Number(spawnSync('id', ['-g', PG_USER]).stdout.toString().trim());
  if (process.getuid?.() === 0) chownSync(dir, uid, gid);
  chmodSync(dir, mode);
}

/** As the postgres user when we are root (setpriv execs: the child's pid is the program's). */
function asPostgres(bin: string, args: string[], env: Record<string, string>): ChildProcess {
  const root = process.getuid?.() === 0;
  const [command, argv] = root
    ? ['setpriv', ['--reuid', PG_USER, '--regid', PG_USER, '--init-groups', '--', bin, ...args]]
    : [bin, args];
  return spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, detached: true });
}

function readSecrets(file: string): HaSecrets {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as HaSecrets & { app: string };
  const make = () => randomBytes(18).toString('base64url');
  const secrets = { superuser: make(), replication: make(), rewind: make(), app: make() };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

export async function startHaPostgres(options: HaOptions): Promise<HaPostgres> {
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.dir);
  if (options.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  ownedByPostgres(dir, 0o755);
  const host = '127.0.0.1';
  const pick = async (given?: number) => given ?? (await freePort());
  const ports: HaPorts = {
    etcdClient: await pick(options.ports?.etcdClient),
    etcdPeer: await pick(options.ports?.etcdPeer),
    primary: await pick(options.ports?.primary),
    replicas: await pick(options.ports?.replicas),
  };
  const secrets = readSecrets(path.join(dir, 'secrets.json')) as HaSecrets & { app: string };
  const socketDir = path.join(dir, 'sock');
  ownedByPostgres(socketDir, 0o755);
  const nodes: HaNode[] = [];
  for (let i = 0; i < 3; i++) {
    const name = `pg${i}`;
    ownedByPostgres(path.join(dir, name));
    nodes.push({
      name,
      host,
      pgPort: await pick(options.ports?.nodes?.[i]?.pgPort),
      restPort: await pick(options.ports?.nodes?.[i]?.restPort),
      dataDir: path.join(dir, name, 'data'),
      patroni: null,
      log: path.join(dir, name, 'patroni.log'),
    });
  }
  const children = new Set<ChildProcess>();
  const track = (child: ChildProcess, logFile: string) => {
    children.add(child);
    const out = (chunk: Buffer) => writeFileSync(logFile, chunk, { flag: 'a' });
    child.stdout?.on('data', out);
    child.stderr?.on('data', out);
    child.once('exit', () => children.delete(child));
  };
  const stopHook = () => {
    for (const child of children) if (child.pid) killQuietly(child.pid, 'SIGKILL');
    for (const n of nodes) {
      const pid = postmasterPid(n.dataDir);
      if (pid) killQuietly(pid, 'SIGKILL');
    }
  };
  process.on('exit', stopHook);

  // etcd
  const etcdDir = path.join(dir, 'etcd');
  ownedByPostgres(etcdDir);
  const etcd = asPostgres('etcd', etcdArgs({ name: 'idem-etcd', dataDir: etcdDir, host, ports }), {});
  track(etcd, path.join(dir, 'etcd.log'));
  await waitFor('etcd', 30_000, async () => (await fetch(`http://${host}:${ports.etcdClient}/health`)).ok);
  log(`etcd on http://${host}:${ports.etcdClient}`);

  const startNode = async (node: HaNode) => {
    const configFile = path.join(dir, node.name, 'patroni.yml');
    const config = patroniConfig(node, {
      etcdHosts: [`${host}:${ports.etcdClient}`],
      socketDir,
      secrets,
      settings: options.settings,
    });
    writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
    ownedByPostgres(configFile, 0o600, true);
    if (existsSync(`${node.dataDir}.failed`)) rmSync(`${node.dataDir}.failed`, { recursive: true, force: true });
    node.patroni = asPostgres('patroni', [configFile], { HOME: path.join(dir, node.name) });
    track(node.patroni, node.log);
  };
  const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-25).join('\n') : '');
  for (const node of nodes) {
    await startNode(node);
    if (node === nodes[0])
      await waitFor('the first leader', 120_000, async () => (await leaderOf()) !== null).catch(
        async (error: Error) => {
          stopHook();
          throw new Error(
            `${error.message}\n--- ${node.log}:\n${tail(node.log)}\n--- etcd:\n${tail(path.join(dir, 'etcd.log'))}`,
          );
        },
      );
  }

  // HAProxy
  const haDir = path.join(dir, 'haproxy');
  mkdirSync(haDir, { recursive: true });
  const socket = path.join(haDir, 'stats.sock');
  const cfg = path.join(haDir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig({ bind: host, ports, socket, nodes }));
  const haproxy = spawn(HAPROXY_BIN, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(haproxy, path.join(dir, 'haproxy.log'));

  async function members(): Promise<MemberState[]> {
    for (const node of nodes) {
      try {
        const response = await fetch(`http://${host}:${node.restPort}/cluster`, { signal: AbortSignal.timeout(1_000) });
        if (!response.ok) continue;
        const body = (await response.json()) as { members: MemberState[] };
        return body.members;
      } catch {
        // that node is down: ask the next
      }
    }
    return [];
  }
  async function leaderOf(): Promise<string | null> {
    return (await members()).find((m) => m.role === 'leader' && m.state === 'running')?.name ?? null;
  }
  const url = (user: string, password: string, port: number, database = 'idem') =>
    `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
  const ownerUrl = url('postgres', secrets.superuser, ports.primary);
  const get = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  };

  const waitHealthy = async (replicas = 2, timeoutMs = 120_000) => {
    let last: MemberState[] = [];
    await waitFor(`a leader with ${replicas} streaming replica(s)`, timeoutMs, async () => {
      last = await members();
      const leader = last.some((m) => m.role === 'leader' && m.state === 'running');
      // Patroni 3.0 reports a replica that replays as "running" (later versions: "streaming").
      const replaying = (m: MemberState) => m.state === 'running' || m.state === 'streaming';
      const streaming = last.filter((m) => m.role !== 'leader' && replaying(m)).length;
      const sync = last.some((m) => m.role === 'sync_standby' && replaying(m));
      return leader && streaming >= replicas && (replicas === 0 || sync);
    });
    // HAProxy checks once a second: wait until the primary port reaches a writable server.
    await waitFor('HAProxy primary port on the leader', 30_000, async () =>
      withClient(ownerUrl.replace(/\/idem$/, '/postgres'), async (c) => {
        const { rows } = await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        return rows[0]!.r === false;
      }),
    );
    return last;
  };

  let stopped = false;
  const handle: HaPostgres = {
    ports,
    nodes,
    url: url(APP_ROLE, secrets.app, ports.primary),
    replicaUrl: url(APP_ROLE, secrets.app, ports.replicas),
    ownerUrl,
    nodeUrl: (name, database = 'idem') => url('postgres', secrets.superuser, get(name).pgPort, database),
    running: () => externalPostgres(handle.url, ownerUrl),
    members,
    leader: leaderOf,
    waitHealthy,
    killPostmaster(name) {
      const pid = postmasterPid(get(name).dataDir);
      if (pid === null) throw new Error(`${name} has no running postmaster`);
      process.kill(pid, 'SIGKILL');
    },
    async killMachine(name) {
      const node = get(name);
      const pid = postmasterPid(node.dataDir);
      if (node.patroni?.pid) killQuietly(node.patroni.pid, 'SIGKILL');
      if (pid !== null) killQuietly(pid, 'SIGKILL');
      await waitFor(
        `${name} dead`,
        10_000,
        async () => !(node.patroni && node.patroni.exitCode === null && node.patroni.signalCode === null),
      );
      node.patroni = null;
      // The port stays taken until every backend of the dead postmaster has noticed and exited.
      await waitFor(`${name}'s backends gone`, 30_000, async () => !listening(node.pgPort));
    },
    async stopNode(name) {
      const node = get(name);
      if (node.patroni?.pid) {
        const child = node.patroni;
        killQuietly(child.pid!, 'SIGTERM');
        await waitFor(`${name} stopped`, 60_000, async () => child.exitCode !== null || child.signalCode !== null);
      }
      node.patroni = null;
    },
    async startNode(name) {
      const node = get(name);
      if (node.patroni && node.patroni.exitCode === null) throw new Error(`${name} is running`);
      await startNode(node);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      haproxy.kill('SIGTERM');
      await Promise.all(nodes.map((node) => handle.stopNode(node.name).catch(() => {})));
      etcd.kill('SIGTERM');
      await waitFor('etcd stopped', 10_000, async () => etcd.exitCode !== null || etcd.signalCode !== null).catch(() =>
        etcd.kill('SIGKILL'),
      );
      stopHook();
      process.removeListener('exit', stopHook);
    },
  };

  try {
    await waitHealthy(2);
    await prepareDatabase(handle, secrets.app);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  log(`PostgreSQL HA: ${nodes.map((n) => `${n.name} :${n.pgPort} (Patroni :${n.restPort})`).join(', ')}`);
  return handle;
}

/** The `idem` database and the application role (replicated: created once, on the leader). */
async function prepareDatabase(ha: HaPostgres, appPassword: string) {
  const admin = ha.ownerUrl.replace(/\/idem$/, '/postgres');
  await withClient(admin, async (c) => {
    const found = await c.query(`SELECT 1 FROM pg_database WHERE datname = 'idem'`);
    if (found.rowCount === 0) await c.query('CREATE DATABASE idem');
  });
  await ensureAppRole(admin, APP_ROLE, appPassword);
  await grantAppRole(ha.ownerUrl, APP_ROLE);
  // The read-your-writes check compares replay positions (pg_last_wal_replay_lsn needs no grant).
  await withClient(ha.ownerUrl, (c) => c.query(`GRANT pg_monitor TO ${APP_ROLE}`));
}

function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const tables = ['/proc/net/tcp', '/proc/net/tcp6'].filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
  return tables.some((t) => t.split('\n').some((line) => line.includes(`:${hex} `) && / 0A /.test(line)));
}

function killQuietly(pid: number, signal: NodeJS.Signals) {
  try {
    if (isAlive(pid)) process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last: ${last})` : ''}`);
}
