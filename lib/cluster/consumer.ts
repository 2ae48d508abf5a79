// The statements consumer as a process of its own (`npm run consumer:statements`), for
// `npm run cluster -- --nats` and the streaming fault test: start, kill with SIGKILL, start again, stop.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export type ConsumerProcess = {
  output: string[];
  pid: () => number | null;
  kill: () => Promise<void>;
  restart: () => Promise<void>;
  stop: () => Promise<void>;
};

export async function startStatementsConsumer(options: {
  natsUrl: string;
  databaseUrl: string;
  /** The app's URL: its role gets SELECT on the consumer's schema. */
  appDatabaseUrl: string;
  echo?: boolean;
}): Promise<ConsumerProcess> {
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const signalGroup = (target: ChildProcess | null, signal: NodeJS.Signals) => {
    if (target?.pid === undefined) return;
    try {
      process.kill(-target.pid, signal);
    } catch {
      // already gone
    }
  };
  const killChild = () => signalGroup(child, 'SIGKILL');
  process.on('exit', killChild);

  function launch(): Promise<void> {
    const started = spawn(TSX, ['--conditions=react-server', 'scripts/consumer-statements.ts'], {
      cwd: ROOT,
      detached: true, // a group of its own: tsx runs the script in a child process, a kill must reach both
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NATS_URL: options.natsUrl,
        STATEMENTS_DATABASE_URL: options.databaseUrl,
        DATABASE_URL: options.appDatabaseUrl,
      },
    });
    child = started;
    exited = new Promise((resolve) => started.once('close', () => resolve()));
    let ready: () => void = () => {};
    const seen = new Promise<void>((resolve) => (ready = resolve));
    for (const stream of [started.stdout, started.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          output.push(line);
          if (line.includes('started (pid')) ready();
          if (options.echo) console.log(line);
        }
        if (output.length > 2_000) output.splice(0, output.length - 1_000);
      });
    }
    return Promise.race([
      seen,
      exited.then(() => {
        throw new Error(`the statements consumer exited during start-up:\n${output.slice(-20).join('\n')}`);
      }),
    ]);
  }

  async function terminate(signal: NodeJS.Signals) {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    signalGroup(current, signal);
    await exited;
  }

  await launch();
  return {
    output,
    pid: () => child?.pid ?? null,
    kill: () => terminate('SIGKILL'),
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
    stop: async () => {
      await terminate('SIGTERM');
      process.removeListener('exit', killChild);
    },
  };
}
