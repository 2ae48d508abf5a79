// `npm run db:migrate`: applies prisma/migrations to IDEM_MIGRATION_DATABASE_URL (default DATABASE_URL), or, without it, to the embedded
// development server (data in .data/postgres, or $IDEM_DATA_DIR/postgres), started just for this.
import path from 'node:path';
import { postgresFromEnv } from '../lib/db/embedded-postgres';
import { migrate } from '../lib/db/migrate';
import { runScript } from './run-script';

const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  const dataDir = path.join(process.env.IDEM_DATA_DIR ?? '.data', 'postgres');
  if (!process.env.DATABASE_URL) log(`Starting embedded PostgreSQL (data in ${dataDir})`);
  const server = await postgresFromEnv({ dataDir, database: 'idem' });
  try {
    const { applied } = await migrate(server.ownerUrl, { log });
    log(
      applied.length === 0
        ? 'Database is up to date; no migrations applied.'
        : `Applied ${applied.length} migration(s): ${applied.join(', ')}`,
    );
  } finally {
    await server.stop();
  }
  return 0;
}

runScript(main);
