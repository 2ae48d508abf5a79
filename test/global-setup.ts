// Vitest global setup: integration tests run against a real PostgreSQL server.
// DATABASE_URL is honoured; otherwise a throwaway embedded server is started for this run.
import 'vitest';
import type { TestProject } from 'vitest/node';
import { postgresFromEnv } from '../lib/db/embedded-postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../lib/db/embedded-postgres';
import { migrate } from '../lib/db/migrate';
import { startMailCatcher } from '../lib/mail/catcher';

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
  // The mail the app sends while tests sign customers up (verification, notices) goes to a catcher of
  // this run's own, never to a mail server on the default port. Set before the workers start, so
  // they inherit it; lib/mail/mail.int.test.ts starts another one to read.
  const mailDir = mkdtempSync(path.join(tmpdir(), 'idem-test-mail-'));
  const catcher = await startMailCatcher({ smtpPort: await freePort(), webPort: await freePort(), mailDir });
  delete process.env.SMTP_URL;
  process.env.IDEM_MAIL_SMTP_PORT = String(catcher.smtpPort);
  process.env.IDEM_MAIL_WEB_PORT = String(catcher.webPort);
  // In-process tests revoke and check in the same breath; the instances of cluster tests and e2e run
  // with the verdict cache (lib/auth/verdict-cache.ts), whose own tests turn it on where they need it.
  process.env.IDEM_AUTH_CACHE_SECONDS ??= '0';
  return async () => {
    await catcher.stop();
    rmSync(mailDir, { recursive: true, force: true });
    await server.stop();
  };
}
