import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { diffMigrationsToSchema } from './schema-drift';

const databaseUrl = inject('databaseOwnerUrl'); // it creates throwaway databases
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'idem-drift-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function driftDatabases(): Promise<string[]> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'idem_drift_%'`,
    );
    return rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
}

describe('prisma/migrations vs prisma/schema.prisma', () => {
  it('are in sync: the diff is empty', async () => {
    const sql = await diffMigrationsToSchema({ databaseUrl });
    expect(sql).toBe('');
    expect(await driftDatabases()).toEqual([]); // its throwaway database is gone again
  });

  it('negative control: a column added to the schema only is reported', async () => {
    const schema = await readFile('prisma/schema.prisma', 'utf8');
    const edited = schema.replace(/^(\s+owner\s+String\s+@db\.VarChar\(80\)\n)/m, '$1  nickname String?\n');
    expect(edited).not.toBe(schema);
    const schemaPath = path.join(scratch, 'schema.prisma');
    await writeFile(schemaPath, edited);

    const sql = await diffMigrationsToSchema({ databaseUrl, schemaPath });
    expect(sql).toMatch(/ALTER TABLE "account_balances" ADD COLUMN\s+"nickname" TEXT/);
  });

  it('negative control: an index missing from the migrations is reported', async () => {
    const migrationsDir = path.join(scratch, 'migrations');
    await cp('prisma/migrations', migrationsDir, { recursive: true });
    const file = path.join(migrationsDir, '20261207070000_command_key', 'migration.sql');
    const script = await readFile(file, 'utf8');
    const edited = script.replace(/^CREATE INDEX "events_command_key_idx" .*\n/m, '');
    expect(edited).not.toBe(script);
    await writeFile(file, edited);

    const sql = await diffMigrationsToSchema({ databaseUrl, migrationsDir });
    expect(sql).toContain('CREATE INDEX "events_command_key_idx" ON "events"("command_key");');
  });
});
