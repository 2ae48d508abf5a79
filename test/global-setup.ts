// Vitest global setup: integration tests run against a real PostgreSQL server.
// DATABASE_URL is honoured; otherwise a throwaway embedded server is started for this run.
import 'vitest';
import type { TestProject } from 'vitest/node';
import { postgresFromEnv } from '../lib/db/embedded-postgres';
import { migrate } from '../lib/db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The application role's URL (what the app connects as). */
    databaseUrl: string;
    /** The owner's URL of the same database: migrations, creating databases, DDL in fixtures. */
    databaseOwnerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await postgresFromEnv({ database: 'idem_test' }); // embedded: temporary data, removed by stop()
  await migrate(server.ownerUrl);
  project.provide('databaseUrl', server.url);
  project.provide('databaseOwnerUrl', server.ownerUrl);
  return server.stop;
}
