import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

// The local mail catcher (maildev 3, an npm dependency): an SMTP server that keeps every message and
// shows it in a web inbox with a REST API (`GET /api/email`). `npm start` and `npm run cluster` run
// it when SMTP_URL is unset; the mail integration tests run their own. Both ports listen on
// 127.0.0.1 only (maildev's default is every interface). Plain Node: no `server-only`.

export type MailCatcher = { smtpPort: number; webPort: number; inboxUrl: string; stop(): Promise<void> };

export async function startMailCatcher(options: {
  smtpPort: number;
  webPort: number;
  mailDir: string;
  log?: (line: string) => void;
}): Promise<MailCatcher> {
  mkdirSync(options.mailDir, { recursive: true });
  const bin = path.resolve('node_modules/maildev/dist/bin/maildev.js');
  const args = [
    '-s',
    String(options.smtpPort),
    '-w',
    String(options.webPort),
    '--ip',
    '127.0.0.1',
    '--web-ip',
    '127.0.0.1',
  ];
  const child = spawn(process.execPath, [bin, ...args, '--mail-directory', options.mailDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    for (const line of chunk.toString().split('\n')) if (line.trim()) options.log?.(`maildev: ${line.trim()}`);
  };
  // If the script that started it dies without stopping it, it goes too.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const inboxUrl = `http://127.0.0.1:${options.webPort}/`;
  await waitUntilServing(child, `${inboxUrl}api/email`, () => output);
  return { smtpPort: options.smtpPort, webPort: options.webPort, inboxUrl, stop: () => stopChild(child) };
}

async function waitUntilServing(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`maildev exited (code ${code}) before serving: ${output().trim() || 'no output'}`)),
    );
  });
  const polled = (async () => {
    for (;;) {
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (child.exitCode !== null) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const deadline = new Promise<never>((_resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`maildev did not answer on ${url} within 30 s: ${output().trim()}`)),
      30_000,
    );
    timer.unref();
  });
  try {
    await Promise.race([polled, exited, deadline]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => {}); // a later exit is handled by stop()
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
