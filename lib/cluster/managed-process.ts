// A helper process of the cluster (nats-server, the statements consumer): started in a process group
// of its own (so a kill reaches what it forks), its output kept, killed with SIGKILL, started again
// with the same command, stopped. `ready` says when a start is done.
import { spawn, type ChildProcess } from 'node:child_process';

export type ManagedProcess = {
  output: string[];
  pid: () => number | null;
  /** SIGKILL to the whole group: no shutdown. */
  kill: () => Promise<void>;
  /** SIGTERM (if running), then the same command again; waits until ready. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
};

type Options = {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  echo?: boolean;
  /** Polled every 50 ms after a start until true (or the process exits: an error). */
  ready: (output: string[]) => boolean | Promise<boolean>;
  readyTimeoutMs?: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startManagedProcess(options: Options): Promise<ManagedProcess> {
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals) => {
    if (child?.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => signal('SIGKILL');
  process.on('exit', killOnExit);

  async function launch(): Promise<void> {
    const started = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    exited = new Promise((resolve) => started.once('close', () => resolve()));
    for (const stream of [started.stdout, started.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          output.push(line);
          const prefix = `[${options.name}]`;
          if (options.echo) console.log(line.startsWith(prefix) ? line : `${prefix} ${line}`);
        }
        if (output.length > 2_000) output.splice(0, output.length - 1_000);
      });
    }
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (!running()) throw new Error(`${options.name} exited during start-up:\n${output.slice(-20).join('\n')}`);
      if (await options.ready(output)) return;
      await sleep(50);
    }
    throw new Error(`${options.name} not ready:\n${output.slice(-20).join('\n')}`);
  }

  async function terminate(sig: NodeJS.Signals): Promise<void> {
    if (!running()) return;
    signal(sig);
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      signal('SIGKILL');
      await exited;
    }
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
      process.removeListener('exit', killOnExit);
    },
  };
}
