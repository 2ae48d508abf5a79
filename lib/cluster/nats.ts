// Debian's nats-server with JetStream, for `npm run cluster -- --nats`, the streaming tests and the
// benchmark: start it on a port (data in `<dataDir>/jetstream`, kept across restarts), kill it with
// SIGKILL, start it again on the same port and data, stop it. Plain Node, never imported by request handlers.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../db/embedded-postgres';
import { startManagedProcess, type ManagedProcess } from './managed-process';

const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export type NatsServer = Omit<ManagedProcess, 'stop'> & {
  url: string;
  port: number;
  monitorPort: number;
  dataDir: string;
  /** SIGTERM (then SIGKILL); removes a temporary data directory. */
  stop: () => Promise<void>;
};

export type NatsOptions = { port?: number; monitorPort?: number; dataDir?: string; echo?: boolean };

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
  // "Server is ready" is printed once per start: a start is done when a new one appears.
  const readyLines = (output: string[]) => output.filter((l) => l.includes('Server is ready')).length;
  let seen = 0;
  const server = await startManagedProcess({
    name: 'nats',
    command: NATS_SERVER_BIN,
    args: ['-js', '-sd', dataDir, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)],
    echo: options.echo,
    ready: async (output) => readyLines(output) > seen && (await accepts(port)),
  });
  seen = readyLines(server.output);
  let stopped = false;
  return {
    ...server,
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    dataDir,
    restart: async () => {
      await server.restart();
      seen = readyLines(server.output);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
