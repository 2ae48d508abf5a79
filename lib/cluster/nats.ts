// Debian's nats-server with JetStream, for `npm run cluster -- --nats` and the streaming fault test:
// start it on a port (data in `<dataDir>/jetstream`, kept across restarts), kill it with SIGKILL,
// start it again on the same port and data, stop it. Plain Node, never imported by request handlers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../db/embedded-postgres';

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export type NatsServer = {
  url: string;
  port: number;
  monitorPort: number;
  dataDir: string;
  pid: () => number | null;
  output: string[];
  /** SIGKILL: no flush, no goodbye. */
  kill: () => Promise<void>;
  /** Starts it again on the same port and data directory, waits until it accepts connections. */
  restart: () => Promise<void>;
  /** SIGTERM (then SIGKILL); removes a temporary data directory. Idempotent. */
  stop: () => Promise<void>;
};

export type NatsOptions = { port?: number; monitorPort?: number; dataDir?: string; echo?: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startNatsServer(options: NatsOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const monitorPort = options.monitorPort ?? (await freePort());
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'idem-nats-'));
  mkdirSync(dataDir, { recursive: true });
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;

  const killChild = () => {
    try {
      child?.kill('SIGKILL');
    } catch {
      // already gone
    }
  };
  process.on('exit', killChild);

  async function launch(): Promise<void> {
    const args = ['-js', '-sd', dataDir, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)];
    const started = spawn(NATS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    exited = new Promise((resolve) => started.once('close', () => resolve()));
    for (const stream of [started.stdout, started.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          output.push(line);
          if (options.echo) console.log(`[nats] ${line}`);
        }
        if (output.length > 2_000) output.splice(0, output.length - 1_000);
      });
    }
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null)
        throw new Error(`nats-server exited during start-up:\n${output.slice(-20).join('\n')}`);
      if ((await accepts(port)) && output.some((l) => l.includes('Server is ready'))) return;
      await sleep(50);
    }
    throw new Error(`nats-server not ready on port ${port}:\n${output.slice(-20).join('\n')}`);
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    current.kill(signal);
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      current.kill('SIGKILL');
      await exited;
    }
  }

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    dataDir,
    pid: () => child?.pid ?? null,
    output,
    kill: () => terminate('SIGKILL'),
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await terminate('SIGTERM');
      process.removeListener('exit', killChild);
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
