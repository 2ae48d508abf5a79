// Vitest global setup: integration tests run against a real PostgreSQL server.
// DATABASE_URL is honoured; otherwise a throwaway embedded server is started for this run.
import 'vitest';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../lib/db/embedded-postgres';
import { migrate } from '../lib/db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  let databaseUrl = process.env.DATABASE_URL;
  let teardown = async () => {};
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ database: 'idem_test' }); // temporary data, removed by stop()
    databaseUrl = pg.url;
    teardown = pg.stop;
  }
  await migrate(databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  return teardown;
}
