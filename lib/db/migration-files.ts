// The migrations this build ships (prisma/migrations/<name>/migration.sql) with Prisma's checksum:
// sha256 of the file's bytes. Read by the migration runner and by the readiness check.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export type LocalMigration = { name: string; script: string; checksum: string };

export async function readMigrations(dir: string): Promise<LocalMigration[]> {
  if (!existsSync(dir)) throw new Error(`Migrations directory not found: ${dir}`);
  const entries = await readdir(dir, { withFileTypes: true });
  // Plain code-point order, like Prisma: the timestamp prefix decides, never the locale.
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = path.join(dir, name, 'migration.sql');
    if (!existsSync(file)) throw new Error(`Migration ${name} has no migration.sql (${file}).`);
    // Checksum the raw bytes, as Prisma does: a re-encoded or CRLF-converted file counts as edited.
    const bytes = await readFile(file);
    migrations.push({
      name,
      script: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return migrations;
}
