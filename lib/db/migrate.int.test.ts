import { readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { migrate, PRISMA_MIGRATE_LOCK_ID } from './migrate';
import { withClient } from './with-client';

const INIT = '20261126000000_init';
/** Every migration in the repository, in the order they apply. */
const ALL = readdirSync(path.resolve('prisma/migrations'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const MIGRATIONS = path.resolve('prisma/migrations');
const serverUrl = inject('databaseOwnerUrl'); // migrations run as the owner

function urlFor(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new empty database on the test server, dropped when the current test finishes. */
async function freshDatabase(): Promise<string> {
  const name = `idem_migrate_${Math.random().toString(36).slice(2, 10)}`;
  await withClient(urlFor('postgres'), (admin) => admin.query(`CREATE DATABASE "${name}"`));
  onTestFinished(() =>
    withClient(urlFor('postgres'), (admin) => admin.query(`DROP DATABASE "${name}" WITH (FORCE)`)).then(() => {}),
  );
  return urlFor(name);
}

/** A scratch migrations folder, removed when the current test finishes. */
async function tempMigrationsDir(copyOfReal: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'idem-migrations-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  if (copyOfReal) await cp(MIGRATIONS, dir, { recursive: true });
  return dir;
}

const query = <R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []) =>
  withClient(url, async (c) => (await c.query<R>(sql, values)).rows);

const migrationRows = (url: string) =>
  query<{
    id: string;
    migration_name: string;
    checksum: string;
    finished_at: Date | null;
    rolled_back_at: Date | null;
    applied_steps_count: number;
  }>(
    url,
    'SELECT id, migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at',
  );

const tableNames = async (url: string) =>
  (
    await query<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    )
  ).map((r) => r.table_name);

/** Everything a migration could change: columns, constraints (with definitions) and indexes. */
async function catalogSnapshot(url: string) {
  const columns = await query(
    url,
    `SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default, character_maximum_length
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const constraints = await query(
    url,
    `SELECT conrelid::regclass::text AS table_name, conname, contype::text, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
  );
  const indexes = await query(
    url,
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`,
  );
  return { columns, constraints, indexes };
}

describe('migrate()', () => {
  it('applies every migration to a fresh database and records each like Prisma does', async () => {
    const url = await freshDatabase();
    const lines: string[] = [];

    expect(await migrate(url, { log: (l) => lines.push(l) })).toEqual({ applied: ALL });

    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(ALL);
    for (const row of rows) {
      const expectedChecksum = createHash('sha256')
        .update(await readFile(path.join(MIGRATIONS, row.migration_name, 'migration.sql')))
        .digest('hex');
      expect(row).toMatchObject({ checksum: expectedChecksum, rolled_back_at: null, applied_steps_count: 1 });
    }
    expect(rows[0]!.finished_at).toBeInstanceOf(Date);
    expect(rows[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lines).toContain(`Applying migration ${INIT}`);

    expect(await tableNames(url)).toEqual([
      '_prisma_migrations',
      'account_balances',
      'account_seen',
      'account_transactions',
      'admin_audit_log',
      'api_keys',
      'api_rate_limits',
      'auth_accounts',
      'command_replays',
      'commands',
      'daily_account_totals',
      'events',
      'live_stream_slots',
      'passkeys',
      'projection_checkpoints',
      'rate_limits',
      'relay_positions',
      'sessions',
      'snapshots',
      'standing_order_occurrences',
      'standing_orders',
      'users',
      'verifications',
      'webhook_api_requests',
      'webhook_checkpoint',
      'webhook_deliveries',
      'webhook_endpoints',
    ]);
    const checks = (await catalogSnapshot(url)).constraints.filter((c) => c.contype === 'c').map((c) => c.conname);
    expect(checks).toEqual(
      expect.arrayContaining([
        'events_version_check',
        'account_balances_balance_cents_check',
        'account_transactions_amount_cents_check',
        'account_transactions_balance_after_cents_check',
        'commands_status_check',
        'commands_command_id_length_check',
        'live_stream_slots_streams_check',
      ]),
    );
  });

  it('is a no-op the second time: nothing applied, no new row, identical catalog', async () => {
    const url = await freshDatabase();
    await migrate(url);
    const before = { rows: await migrationRows(url), catalog: await catalogSnapshot(url) };

    expect(await migrate(url)).toEqual({ applied: [] });

    expect(await migrationRows(url)).toEqual(before.rows);
    expect(await catalogSnapshot(url)).toEqual(before.catalog);
  });

  it('refuses to run when an applied migration was edited, naming it', async () => {
    const url = await freshDatabase();
    const dir = await tempMigrationsDir(true);
    await migrate(url, { migrationsDir: dir });
    const rowsBefore = await migrationRows(url);

    await appendFile(path.join(dir, INIT, 'migration.sql'), '\n-- an innocent-looking edit\n');

    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(
      new RegExp(`${INIT} was edited after it was applied`),
    );
    expect(await migrationRows(url)).toEqual(rowsBefore);
  });

  it('refuses to run while a migration is recorded as failed, naming it', async () => {
    const url = await freshDatabase();
    await migrate(url, { migrationsDir: await tempMigrationsDir(false) }); // creates the empty table only
    await query(url, `INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('x', 'y', $1)`, [INIT]);

    await expect(migrate(url)).rejects.toThrow(new RegExp(`${INIT} is recorded as failed.*rolled_back_at`));
    expect(await tableNames(url)).toEqual(['_prisma_migrations']);
  });

  it('rolls back a failing migration completely: no tables, no row, and a fixed file then applies', async () => {
    const url = await freshDatabase();
    const dir = await tempMigrationsDir(false);
    const file = path.join(dir, '20990101000000_broken', 'migration.sql');
    await mkdir(path.dirname(file));
    await writeFile(file, 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n');

    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(
      /Migration 20990101000000_broken failed.*no_such_table/,
    );
    expect(await tableNames(url)).toEqual(['_prisma_migrations']);
    expect(await migrationRows(url)).toEqual([]);

    await writeFile(file, 'CREATE TABLE "half_done" ("id" INTEGER);\n');
    expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: ['20990101000000_broken'] });
  });

  it('commits a script only together with its _prisma_migrations row', async () => {
    const url = await freshDatabase();
    const dir = await tempMigrationsDir(false);
    const file = path.join(dir, '20990101000000_unrecordable', 'migration.sql');
    await mkdir(path.dirname(file));
    // The script itself succeeds; the bookkeeping INSERT after it is what fails.
    await writeFile(
      file,
      'CREATE TABLE "half_done" ("id" INTEGER);\nALTER TABLE _prisma_migrations ADD CONSTRAINT "no_rows" CHECK (false) NOT VALID;\n',
    );

    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(
      /Migration 20990101000000_unrecordable failed.*no_rows/,
    );
    expect(await tableNames(url)).toEqual(['_prisma_migrations']);
    expect(await query(url, `SELECT conname FROM pg_constraint WHERE conname = 'no_rows'`)).toEqual([]);
  });

  it('applies once when two migrate() calls race on one fresh database', async () => {
    const url = await freshDatabase();

    const results = await Promise.all([migrate(url), migrate(url)]);

    expect(results.map((r) => r.applied).sort()).toEqual([[], ALL]);
    expect((await migrationRows(url)).map((r) => r.migration_name)).toEqual(ALL);
  });

  it("waits for Prisma's advisory lock held by another session", async () => {
    const url = await freshDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    onTestFinished(() => holder.end());
    await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_ID]);

    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const running = migrate(url);
    // Seen, not assumed: another session of this database waits (not granted) for Prisma's lock.
    // A migrator that took no lock never shows up here, and the poll fails.
    const waiting = () =>
      query<{ pid: number }>(
        url,
        `SELECT pid FROM pg_locks
          WHERE locktype = 'advisory' AND classid = 0 AND objid = $1 AND NOT granted AND pid <> $2
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [PRISMA_MIGRATE_LOCK_ID, holderPid],
      );
    await expect.poll(async () => (await waiting()).length, { timeout: 60_000 }).toBe(1);
    expect(await tableNames(url)).toEqual([]); // blocked before touching anything

    await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_ID]);
    expect(await running).toEqual({ applied: ALL });
    const held = await query(url, `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, [
      PRISMA_MIGRATE_LOCK_ID,
    ]);
    expect(held).toEqual([]); // and released it afterwards
  });
});
