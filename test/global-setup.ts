// Vitest global setup: integration tests run against a real PostgreSQL server.
// DATABASE_URL is honoured; otherwise a throwaway embedded server is started for this run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
    const dataDir = mkdtempSync(path.join(tmpdir(), 'idem-test-pg-'));
    const pg = await startEmbeddedPostgres({ dataDir, database: 'idem_test' });
    databaseUrl = pg.url;
    teardown = async () => {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  await migrate(databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  return teardown;
}
