// `npm run prune`: the idempotency-key retention job (docs/security.md; lib/event-store/retention.ts).
// Deletes rejected commands older than IDEM_KEY_RETENTION_DAYS (default 30) that have no events —
// never a command that produced events — and rate-limit windows that ended. Safe to run at any
// time, on any number of hosts at once (each batch is one DELETE); run it daily (cron, a Kubernetes
// CronJob). Against DATABASE_URL, or the embedded development server in .data/postgres.
import path from 'node:path';
import { ConfigError, loadConfig } from '../lib/config';
import { postgresFromEnv } from '../lib/db/embedded-postgres';
import { withClient } from '../lib/db/with-client';
import { prune } from '../lib/event-store/retention';

async function main(): Promise<number> {
  const config = loadConfig();
  const server = await postgresFromEnv({ dataDir: path.join(process.env.IDEM_DATA_DIR ?? '.data', 'postgres'), database: 'idem' });
  try {
    const result = await withClient(server.url, (client) => prune(client, { retentionDays: config.IDEM_KEY_RETENTION_DAYS }));
    console.log(
      `pruned ${result.commands} rejected command(s) past the retention, ${result.apiRateLimits} API and ${result.authRateLimits} sign-in rate-limit window(s)`,
    );
  } finally {
    await server.stop();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? `[idem] ${error.message}` : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
