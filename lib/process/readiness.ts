import 'server-only';
import path from 'node:path';
import { db } from '@/lib/db/prisma';
import { readMigrations, type LocalMigration } from '@/lib/db/migration-files';
import { isDraining } from './lifecycle';

// Readiness: the database answers, every migration this build ships is applied (same checksum),
// and the instance is not draining. The reasons say what is wrong without revealing versions,
// names or connection details.

export type Readiness = { ready: true } | { ready: false; reason: string };

const READY_DB_TIMEOUT_MS = 2_000;

let shipped: Promise<LocalMigration[]> | null = null;

export async function readiness(): Promise<Readiness> {
  if (isDraining()) return { ready: false, reason: 'The instance is shutting down.' };
  shipped ??= readMigrations(path.join(process.cwd(), 'prisma', 'migrations')).catch((error: unknown) => {
    shipped = null;
    throw error;
  });
  let rows: { name: string; checksum: string }[];
  try {
    rows = await withTimeout(
      db().$queryRaw<
        { name: string; checksum: string }[]
      >`SELECT migration_name AS name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      READY_DB_TIMEOUT_MS,
    );
  } catch {
    return { ready: false, reason: 'The database did not answer.' };
  }
  const applied = new Map(rows.map((r) => [r.name, r.checksum]));
  // Migrations applied by a newer build are fine (expand first, contract later): only ours count.
  const missing = (await shipped).filter((m) => applied.get(m.name) !== m.checksum);
  if (missing.length > 0)
    return {
      ready: false,
      reason: `${missing.length} migration(s) shipped with this build are not applied (or differ).`,
    };
  return { ready: true };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
