// The statements consumer as a process of its own (`npm run consumer:statements`), for
// `npm run cluster -- --nats` and the streaming fault test: start, kill with SIGKILL, start again, stop.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startManagedProcess, type ManagedProcess } from './managed-process';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ConsumerProcess = ManagedProcess;

export function startStatementsConsumer(options: {
  natsUrl: string;
  databaseUrl: string;
  /** The app's URL: its role gets SELECT on the consumer's schema. */
  appDatabaseUrl: string;
  echo?: boolean;
}): Promise<ConsumerProcess> {
  // tsx runs the script in a child process of its own: the group kill reaches both.
  return startManagedProcess({
    name: 'statements',
    command: path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    args: ['--conditions=react-server', 'scripts/consumer-statements.ts'],
    cwd: ROOT,
    env: {
      ...process.env,
      NATS_URL: options.natsUrl,
      STATEMENTS_DATABASE_URL: options.databaseUrl,
      DATABASE_URL: options.appDatabaseUrl,
    },
    echo: options.echo,
    ready: (output) => output.some((line) => line.includes('started (pid')),
  });
}
