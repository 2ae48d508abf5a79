import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, portIsFree, startEmbeddedPostgres } from './embedded-postgres';
import { isAlive } from './postmaster';
import { withClient } from './with-client';

// The one starter every caller uses (npm start, tests, benchmarks, cluster harness): its own
// servers, not the suite's (DATABASE_URL or the global setup's).

const query = async <R extends pg.QueryResultRow>(url: string, sql: string) =>
  withClient(url, async (c) => (await c.query<R>(sql)).rows);

const parent = mkdtempSync(path.join(tmpdir(), 'idem-starter-test-'));
chmodSync(parent, 0o755); // the `postgres` user (when we are root) must reach the data directories below it
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('startEmbeddedPostgres', () => {
  it('applies extra settings; stopped with -m immediate and restarted on the same port, it keeps what was committed; stop removes temporary data', async () => {
    const server = await startEmbeddedPostgres({ database: 'starter', settings: { work_mem: '8MB' }, detached: true });
    try {
      expect(
        await query(
          server.url,
          `SELECT current_setting('work_mem') AS w, current_setting('max_connections') AS m, current_database() AS d`,
        ),
      ).toEqual([{ w: '8MB', m: '300', d: 'starter' }]);
      await query(server.ownerUrl, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)');
      const before = server.pid();
      expect(before).not.toBeNull();

      await server.stopImmediate();
      expect(server.pid()).toBeNull();
      expect(isAlive(before!)).toBe(false);
      await expect(query(server.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
      await expect(server.stopImmediate()).rejects.toThrow('not running');

      await server.restart();
      expect(server.pid()).not.toBe(before);
      expect(await query(server.url, 'SELECT n FROM kept')).toEqual([{ n: 1 }]);
      await expect(server.restart()).rejects.toThrow('still running');
    } finally {
      await server.stop();
    }
    expect(server.pid()).toBeNull();
    expect(existsSync(server.dataDir!)).toBe(false);
  });

  it('a second start on a data directory whose server runs shares that server and never stops it; fresh refuses to wipe it', async () => {
    const dataDir = path.join(parent, 'shared');
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      const second = await startEmbeddedPostgres({ dataDir, database: 'other' });
      expect(second.dataDir).toBeNull();
      expect(second.port).toBe(first.port);
      await second.stop();
      await expect(second.stopImmediate()).rejects.toThrow();
      expect(await query(first.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await query(second.url, 'SELECT current_database() AS d')).toEqual([{ d: 'other' }]);
      await expect(startEmbeddedPostgres({ dataDir, fresh: true })).rejects.toThrow(/cannot wipe/);
    } finally {
      await first.stop();
    }
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true); // not temporary: kept
  });

  it('a detached server whose owner was killed with SIGKILL is stopped by the next start on its data directory', async () => {
    const dataDir = path.join(parent, 'orphaned');
    const starter = path.resolve('lib/db/embedded-postgres.ts');
    const code = `import(${JSON.stringify(starter)}).then(async (m) => { const s = await m.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, detached: true }); console.log('READY ' + s.pid()); setInterval(() => {}, 1000); })`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const orphan = await new Promise<number>((resolve, reject) => {
      owner.stdout.on('data', (chunk: Buffer) => {
        const ready = /READY (\d+)/.exec(chunk.toString());
        if (ready) resolve(Number(ready[1]));
      });
      owner.once('exit', (code) => reject(new Error(`owner exited (${code}) before its server was ready`)));
    });
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    expect(isAlive(orphan)).toBe(true); // detached: it outlived its owner

    const lines: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, log: (line) => lines.push(line) });
    try {
      expect(isAlive(orphan)).toBe(false);
      expect(lines.join('\n')).toContain(`stopping the orphaned server (pid ${orphan})`);
      expect(server.pid()).not.toBe(orphan);
      expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await server.stop();
    }
  });
});

describe('freePort', () => {
  it('hands out distinct free ports below the ephemeral range, which outgoing connections draw from', async () => {
    const ports = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    expect((await Promise.all(ports.map(portIsFree))).every(Boolean)).toBe(true);
    const range = '/proc/sys/net/ipv4/ip_local_port_range';
    if (existsSync(range)) {
      const ephemeralLow = Number(readFileSync(range, 'utf8').trim().split(/\s+/)[0]);
      expect(ports.filter((port) => port >= ephemeralLow)).toEqual([]);
    }
  });
});
