// HAProxy in front of a cluster (lib/cluster/cluster.ts: `npm run cluster -- --lb` and test/*.cluster.test.ts): runs
// Debian's /usr/sbin/haproxy on the shipped example config (ops/haproxy.cfg) with the bind address,
// stats socket and server lines rewritten, and reads per-server state from its stats socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
export const HAPROXY_CONFIG = path.join(ROOT, 'ops', 'haproxy.cfg');

export type Backend = { name: string; host: string; port: number };

/** ops/haproxy.cfg for these backends: the frontend's bind, the stats socket, the server lines. */
export function renderConfig(template: string, options: { bind: string; socket: string; servers: Backend[] }): string {
  const begin = template.indexOf('# BEGIN servers');
  const end = template.indexOf('# END servers');
  if (begin < 0 || end < begin)
    throw new Error('ops/haproxy.cfg must keep its "# BEGIN servers" / "# END servers" markers');
  const indent = template.slice(template.lastIndexOf('\n', begin) + 1, begin);
  const servers = options.servers.map((s) => `${indent}server ${s.name} ${s.host}:${s.port}`).join('\n');
  return (template.slice(0, begin) + `# BEGIN servers\n${servers}\n${indent}` + template.slice(end))
    .replace(/^(\s*bind\s+)\S+/m, `$1${options.bind}`)
    .replace(/^(\s*stats socket\s+)\S+/m, `$1${options.socket}`);
}

/** One row of `show stat` for a server: status is UP, DOWN, "UP 1/2" (going down), "DOWN 1/2" (coming up), MAINT… */
type ServerStat = {
  name: string;
  status: string;
  checkStatus: string;
  checkFailures: number;
  downTransitions: number;
  lastChangeSeconds: number;
  sessions: number;
  row: Record<string, string>;
};

export type Haproxy = {
  url: string;
  port: number;
  pid: number | null;
  output: string[];
  servers: () => Promise<ServerStat[]>;
  server: (name: string) => Promise<ServerStat>;
  /** Polls the stats socket until the server's status is exactly `status` (UP or DOWN). */
  waitFor: (name: string, status: 'UP' | 'DOWN', timeoutMs?: number) => Promise<ServerStat>;
  stop: () => Promise<void>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startHaproxy(options: { port: number; servers: Backend[]; echo?: boolean }): Promise<Haproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'idem-haproxy-'));
  const socket = path.join(dir, 'stats.sock');
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    renderConfig(readFileSync(HAPROXY_CONFIG, 'utf8'), {
      bind: `127.0.0.1:${options.port}`,
      socket,
      servers: options.servers,
    }),
  );
  const output: string[] = [];
  const child: ChildProcess = spawn(HAPROXY_BIN, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      output.push(line);
      if (options.echo) console.log(`[lb] ${line}`);
    }
    if (output.length > 500) output.splice(0, output.length - 500);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const command = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const conn = connect(socket);
      let text = '';
      conn.on('data', (chunk) => (text += chunk.toString('utf8')));
      conn.on('end', () => resolve(text));
      conn.on('error', reject);
      conn.write(`${line}\n`);
    });

  const servers = async (): Promise<ServerStat[]> => {
    const [header, ...rows] = (await command('show stat')).trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    return rows
      .map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i]!, v])))
      .filter((r) => r.svname !== 'FRONTEND' && r.svname !== 'BACKEND' && r.pxname === 'idem_instances')
      .map((r) => ({
        name: r.svname!,
        status: r.status!,
        checkStatus: r.check_status!,
        checkFailures: Number(r.chkfail || 0),
        downTransitions: Number(r.chkdown || 0),
        lastChangeSeconds: Number(r.lastchg || 0),
        sessions: Number(r.stot || 0),
        row: r,
      }));
  };
  const server = async (name: string) => {
    const found = (await servers()).find((s) => s.name === name);
    if (!found) throw new Error(`HAProxy has no server ${name}`);
    return found;
  };

  // Ready when the stats socket answers and the frontend accepts connections.
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`haproxy exited during start-up:\n${output.join('\n')}`);
    try {
      await servers();
      break;
    } catch (error) {
      if (i > 200) throw new Error(`haproxy not ready: ${String(error)}\n${output.join('\n')}`);
      await sleep(50);
    }
  }

  return {
    url: `http://127.0.0.1:${options.port}`,
    port: options.port,
    pid: child.pid ?? null,
    output,
    servers,
    server,
    async waitFor(name, status, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const stat = await server(name);
        if (stat.status === status) return stat;
        if (Date.now() > deadline)
          throw new Error(
            `HAProxy server ${name} still ${stat.status} (check ${stat.checkStatus}) after ${timeoutMs} ms`,
          );
        await sleep(50);
      }
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM'); // hard stop; SIGUSR1 would wait for connections to finish
        await Promise.race([exit, sleep(5_000)]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
