// `npm run db:diff`: prints the SQL that would bring a database built from prisma/migrations to
// prisma/schema.prisma, and exits 2 when there is any (like `prisma migrate diff --exit-code`).
// Uses DATABASE_URL's server for its throwaway databases, or else a throwaway embedded server:
// never the development data directory, whose server may be running.
import { postgresFromEnv } from '../lib/db/embedded-postgres';
import { diffMigrationsToSchema } from '../lib/db/schema-drift';
import { runScript } from './run-script';

async function main(): Promise<number> {
  const server = await postgresFromEnv({ database: 'postgres' }); // embedded: temporary data, removed by stop()
  try {
    const sql = await diffMigrationsToSchema({ databaseUrl: server.ownerUrl });
    if (sql === '') {
      console.log('prisma/migrations and prisma/schema.prisma are in sync.');
      return 0;
    }
    console.log(sql);
    console.error('\nDrift: the SQL above is missing from prisma/migrations (add it as a new migration).');
    return 2;
  } finally {
    await server.stop();
  }
}

runScript(main);
