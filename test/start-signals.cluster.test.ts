// A process manager (systemd, supervisord, a container runtime, a CI job) stops `npm start` with one
// signal to the process it started: npm. Nothing else gets it: not npm's shell, not tsx, not Next.js,
// not PostgreSQL. Every server `npm start` started must stop all the same: no port left listening,
// no process left behind (scripts/launcher-watch.ts). Uses the production build in .next (--no-build).
import { spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../lib/db/embedded-postgres';

/** Every process below `root` (from /proc), with its command name. */
function descendants(root: number): Map<number, string> {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      children.set(Number(ppid), [...(children.get(Number(ppid)) ?? []), Number(entry)]);
    } catch {
      // exited while listed
    }
  }
  const found = new Map<number, string>();
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.set(pid, names.get(pid) ?? '?');
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

describe('npm start stops when npm alone is signalled', () => {
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGKILL'] as const) {
    it(`${signal} to npm's pid only: Next.js and PostgreSQL stop, no process remains`, async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'idem-signal-'));
      chmodSync(dataDir, 0o755); // the `postgres` system user (embedded PostgreSQL run as root) must enter it
      const [port, pgPort] = [await freePort(), await freePort()];
      const output: string[] = [];
      const npm = spawn('npm', ['start', '--', '--no-build'], {
        detached: true, // its own process group, so the finally block can clean up whatever a failure leaves
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NEXT_TELEMETRY_DISABLED: '1',
          PORT: String(port),
          IDEM_PG_PORT: String(pgPort),
          IDEM_DATA_DIR: dataDir,
          IDEM_FRESH_DATA: '1',
        },
      });
      npm.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      npm.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const exited = new Promise((resolve) => npm.once('exit', resolve));
      try {
        await expect
          .poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health/ready`).catch(() => null))?.status, {
            timeout: 180_000,
            interval: 250,
          })
          .toBe(200);
        const keepAlive = await new Promise<string | undefined>((resolve, reject) =>
          httpGet(`http://127.0.0.1:${port}/api/health/live`, (response) => {
            response.resume();
            resolve(String(response.headers['keep-alive']));
          }).on('error', reject),
        );
        // Node's default (5 s) resets a client that reuses a connection just as the server closes it.
        expect(keepAlive, 'idle connections outlive a load balancer’s and a client’s').toBe('timeout=65');
        const started = descendants(npm.pid!);
        expect([...started.values()].join(' '), 'npm started Next.js and PostgreSQL').toMatch(/postgres/);
        expect(await listening(pgPort)).toBe(true);

        process.kill(npm.pid!, signal);
        await exited;
        await expect.poll(() => listening(port), { timeout: 90_000, interval: 250 }).toBe(false);
        await expect.poll(() => listening(pgPort), { timeout: 90_000, interval: 250 }).toBe(false);
        await expect
          .poll(() => [...started].filter(([pid]) => alive(pid)).map(([pid, name]) => `${pid} ${name}`), {
            timeout: 90_000,
            interval: 250,
          })
          .toEqual([]);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- npm start's output ---\n${output.join('').slice(-4000)}`);
      } finally {
        try {
          process.kill(-npm.pid!, 'SIGKILL');
        } catch {
          // the group is gone
        }
        // A PostgreSQL left behind by a failure: its command line names the data directory.
        for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
          try {
            if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dataDir))
              process.kill(Number(entry), 'SIGKILL');
          } catch {
            // exited meanwhile
          }
        }
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 300_000);
  }

  it('start.ts itself killed (SIGKILL, nothing can be handled): the Next.js instance notices and stops by itself', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'idem-orphan-'));
    chmodSync(dataDir, 0o755);
    const [port, pgPort] = [await freePort(), await freePort()];
    const tsx = spawn(path.resolve('node_modules/.bin/tsx'), ['scripts/start.ts', '--no-build'], {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(port),
        IDEM_PG_PORT: String(pgPort),
        IDEM_DATA_DIR: dataDir,
        IDEM_FRESH_DATA: '1',
      },
    });
    try {
      await expect
        .poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health/ready`).catch(() => null))?.status, {
          timeout: 180_000,
          interval: 250,
        })
        .toBe(200);
      // tsx runs start.ts in a child process of its own: that child is the one to kill.
      const start = [...descendants(tsx.pid!).keys()].find((pid) => cmdline(pid).includes('scripts/start.ts'));
      expect(start, 'the start.ts process').toBeDefined();
      const nextServers = [...descendants(start!).keys()].filter((pid) => /next/.test(cmdline(pid)));
      expect(nextServers.length, 'Next.js runs under start.ts').toBeGreaterThan(0);
      process.kill(start!, 'SIGKILL');
      await expect.poll(() => listening(port), { timeout: 90_000, interval: 250 }).toBe(false);
      await expect.poll(() => nextServers.filter(alive), { timeout: 90_000, interval: 250 }).toEqual([]);
    } finally {
      try {
        process.kill(-tsx.pid!, 'SIGKILL');
      } catch {
        // the group is gone
      }
      // PostgreSQL outlives a SIGKILLed start.ts (nothing is left to stop it): clean it up here.
      for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
        try {
          if (cmdline(Number(entry)).includes(dataDir)) process.kill(Number(entry), 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
