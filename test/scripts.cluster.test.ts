// `npm start` and `npm run cluster -- --lb` keep a clean Ctrl-C: the terminal's SIGINT reaches
// the whole foreground process group; the instances drain (lib/process/shutdown.ts), then
// PostgreSQL stops, and the script exits 0. Uses the production build in .next (--no-build).
// IDEM_TEST_BASE_PORT pins the ports (base+40…); default free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lineSplitter } from './cluster';
import { freePort, freePortRun } from '../lib/db/embedded-postgres';
import { apiKeyAuthorization, postCommand, useApiKey, verifyEmailsWith, verifyThroughInbox } from './api-client';

const base = process.env.IDEM_TEST_BASE_PORT ? Number(process.env.IDEM_TEST_BASE_PORT) + 40 : undefined;
const TSX = path.resolve('node_modules/.bin/tsx');

/** A data directory the `postgres` system user (embedded PostgreSQL run as root) can enter. */
function tempDataDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

type Run = {
  child: ChildProcess;
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

// The one-time admin the scripts seed on the embedded database, with an address better-auth accepts.
const ADMIN = { ADMIN_EMAIL: 'scripts-admin@example.test' };

function run(args: string[], env: Record<string, string>): Run {
  const child = spawn(TSX, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...ADMIN, ...env },
  });
  const output: string[] = [];
  // Whole lines: a line split across two chunks is carried over, not cut in two.
  for (const stream of [child.stdout, child.stderr]) {
    const lines = lineSplitter((line) => output.push(line));
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => lines.push(chunk));
    stream?.on('end', () => lines.flush());
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exit };
}

async function waitReady(url: string, r: Run, timeoutMs = 120_000) {
  await vi.waitFor(
    async () => {
      if (r.child.exitCode !== null)
        throw new Error(`exited before ready at ${url}:\n${r.output.slice(-30).join('\n')}`);
      const status = await fetch(`${url}/api/health/ready`).then(
        (response) => response.status,
        () => 0, // not listening yet
      );
      if (status !== 200) throw new Error(`not ready at ${url} (${status}):\n${r.output.slice(-30).join('\n')}`);
    },
    { timeout: timeoutMs, interval: 200 },
  );
}

/** The embedded server of this data directory is gone (its postmaster.pid names no live process). */
async function expectPostgresStopped(dataDir: string) {
  await vi.waitFor(
    () => {
      let pid: number | null = null;
      try {
        pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        process.kill(pid, 0);
      } catch {
        return; // no pid file, or no such process
      }
      throw new Error(`PostgreSQL (pid ${pid}) still running on ${dataDir}`);
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** Waits (bounded) until the output has `count` lines containing `text`: instances may finish after the script. */
async function untilOutput(r: Run, text: string, count = 1) {
  await vi.waitFor(
    () => {
      if (r.output.filter((l) => l.includes(text)).length < count)
        throw new Error(`never saw ${count} × ${text}:\n${r.output.slice(-30).join('\n')}`);
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** Ctrl-C in a terminal: SIGINT to the whole foreground process group. */
async function ctrlC(r: Run) {
  process.kill(-r.child.pid!, 'SIGINT');
  const killer = setTimeout(() => process.kill(-r.child.pid!, 'SIGKILL'), 90_000);
  const exit = await r.exit;
  clearTimeout(killer);
  return exit;
}

/** Ports of their own for the mail catcher the scripts start (SMTP_URL unset), and its inbox URL. */
async function mailCatcherEnv() {
  const smtp = await freePort();
  const web = await freePort();
  return {
    env: { IDEM_MAIL_SMTP_PORT: String(smtp), IDEM_MAIL_WEB_PORT: String(web) },
    inbox: `http://127.0.0.1:${web}/`,
  };
}

describe('scripts keep a clean Ctrl-C', () => {
  it('npm start: the instance drains, PostgreSQL stops, the script exits', async () => {
    const dataDir = tempDataDir('idem-start-');
    const port = base ?? (await freePort());
    const mail = await mailCatcherEnv();
    const r = run(['scripts/start.ts', '--no-build'], {
      ...mail.env,
      PORT: String(port),
      IDEM_DATA_DIR: dataDir,
      IDEM_FRESH_DATA: '1',
      IDEM_PG_PORT: String(await freePort()),
      LOG_FORMAT: 'json',
    });
    try {
      await waitReady(`http://127.0.0.1:${port}`, r);
      expect((await fetch(`${mail.inbox}api/email`)).status).toBe(200); // the local mail catcher
      expect(r.output.join('\n')).toContain(`mail inbox: ${mail.inbox}`);
      // 130 = 128 + SIGINT, the conventional code after Ctrl-C (tsx's relay may report it).
      const exit = await ctrlC(r);
      expect(exit.signal).toBeNull();
      expect([0, 130]).toContain(exit.code);
      const text = r.output.join('\n');
      await untilOutput(r, '"msg":"shutdown complete"');
      await expectPostgresStopped(path.join(dataDir, 'postgres'));
      expect(text).not.toMatch(/uncaught|unhandled|ELIFECYCLE/i);
      // Output to a pipe (a log) holds no one-time admin password.
      expect(text).not.toMatch(/password:/i);
      expect(text).toContain('no admin created: the output is not a terminal');
      await expect(fetch(`${mail.inbox}api/email`)).rejects.toThrow(); // maildev stopped with the rest
    } finally {
      if (r.child.exitCode === null) await ctrlC(r); // the scripts stop their own detached instances
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('npm run cluster -- --instances 2 --lb: HAProxy serves; Ctrl-C drains the instances, stops HAProxy and PostgreSQL', async () => {
    const dataDir = tempDataDir('idem-cluster-');
    const port = base !== undefined ? base + 2 : await freePortRun(2); // the cluster's two instances: port, port + 1
    const lbPort = base !== undefined ? base + 9 : await freePort();
    const mail = await mailCatcherEnv();
    const r = run(
      [
        'scripts/cluster.ts',
        '--instances',
        '2',
        '--no-build',
        '--lb',
        '--port',
        String(port),
        '--lb-port',
        String(lbPort),
      ],
      {
        ...mail.env,
        IDEM_DATA_DIR: dataDir,
        IDEM_FRESH_DATA: '1',
      },
    );
    try {
      const lb = `http://127.0.0.1:${lbPort}`;
      await waitReady(lb, r);
      // The customer follows the link of their verification mail, caught by the cluster's maildev.
      verifyEmailsWith(`http://127.0.0.1:${port}`, verifyThroughInbox(mail.inbox));
      useApiKey(await apiKeyAuthorization(`http://127.0.0.1:${port}`));
      const opened = await postCommand(`${lb}/api/accounts`, randomUUID(), {
        name: 'Through HAProxy',
        openingDeposit: '1.00',
      });
      useApiKey(null);
      expect(opened.status).toBe(201);
      expect(r.output.some((l) => l.includes(`HAProxy on ${lb}`))).toBe(true);
      await untilOutput(r, '[cluster] Ctrl-C stops everything'); // start-up finished (admin seeded)
      const exit = await ctrlC(r);
      expect(exit.signal).toBeNull();
      expect([0, 130]).toContain(exit.code);
      await untilOutput(r, '"msg":"shutdown complete"', 2);
      const text = r.output.join('\n');
      expect(text).toContain('[cluster] stopped');
      expect(text).not.toMatch(/password:/i); // no one-time admin password in a log
      await expectPostgresStopped(path.join(dataDir, 'cluster', 'postgres'));
      await expect(fetch(`${lb}/api/health/live`)).rejects.toThrow();
      await expect(fetch(`${mail.inbox}api/email`)).rejects.toThrow(); // maildev stopped with the rest
    } finally {
      if (r.child.exitCode === null) await ctrlC(r); // the scripts stop their own detached instances
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
