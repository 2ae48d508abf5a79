// Applies prisma/migrations without Prisma's schema-engine binary, which cannot be downloaded here.
// It keeps Prisma's bookkeeping (`_prisma_migrations`, same lock, same checksums) so that
// `prisma migrate deploy/status` on a machine that has the binary sees the same history.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { readMigrations, type LocalMigration } from './migration-files';

export type MigrateOptions = { migrationsDir?: string; log?: (line: string) => void };

// Prisma's own lock id: a concurrent `prisma migrate deploy` and this function exclude each other.
export const PRISMA_MIGRATE_LOCK_ID = 72707369;

// Prisma's DDL, column for column; IF NOT EXISTS only because we check under the lock anyway.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

type MigrationRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

function checkHistory(local: LocalMigration[], rows: MigrationRow[], log: (line: string) => void): Set<string> {
  const live = rows.filter((r) => r.rolled_back_at === null);
  const failed = live.filter((r) => r.finished_at === null);
  if (failed.length > 0) {
    const names = failed.map((r) => r.migration_name).join(', ');
    throw new Error(
      `Refusing to migrate: migration ${names} is recorded as failed in _prisma_migrations (started, never finished). ` +
        `Check what it left in the database and repair or revert it by hand, then mark it rolled back ` +
        `(UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '<name>' AND finished_at IS NULL, ` +
        `or \`prisma migrate resolve --rolled-back <name>\`) and run the migration again.`,
    );
  }
  const applied = new Map(live.map((r) => [r.migration_name, r.checksum]));
  for (const m of local) {
    const recorded = applied.get(m.name);
    if (recorded !== undefined && recorded !== m.checksum) {
      throw new Error(
        `Refusing to migrate: migration ${m.name} was edited after it was applied ` +
          `(checksum in database ${recorded}, file ${m.checksum}). Restore the original migration.sql ` +
          `(e.g. git checkout) and put the change in a new migration instead.`,
      );
    }
  }
  const known = new Set(local.map((m) => m.name));
  for (const name of applied.keys()) {
    if (!known.has(name))
      log(`warning: migration ${name} is applied in the database but missing from the migrations directory`);
  }
  return new Set(applied.keys());
}

export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.migrationsDir ?? path.join(process.cwd(), 'prisma', 'migrations'));
  const local = await readMigrations(dir);

  const client = new pg.Client({ connectionString: databaseUrl });
  // A dropped connection rejects the pending query; without a listener it would also crash the process.
  client.on('error', (err) => log(`migrate: connection error: ${err.message}`));
  await client.connect();
  try {
    // Session-level lock for the whole run: released explicitly below, or by PostgreSQL if we die.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_ID]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<MigrationRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
      );
      const done = checkHistory(local, rows, log);
      const applied: string[] = [];
      for (const m of local.filter((m) => !done.has(m.name))) {
        log(`Applying migration ${m.name}`);
        // One transaction for script and row: a failure leaves neither half-applied DDL nor a "failed"
        // row behind (unlike Prisma, which records the failure). Scripts therefore must not use
        // statements that refuse to run in a transaction (CREATE INDEX CONCURRENTLY, ...).
        await client.query('BEGIN');
        try {
          await client.query(m.script);
          await client.query(
            `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
             VALUES ($1, $2, $3, now(), now(), 1)`,
            [randomUUID(), m.checksum, m.name],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(`Migration ${m.name} failed and was rolled back, nothing from it was applied: ${message}`, {
            cause: error,
          });
        }
        applied.push(m.name);
      }
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_ID]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
