// `npm run prune`: the retention job (docs/security.md). Each table is pruned by the module that owns
// it: commands by the engine (lib/event-store/retention.ts), the API budgets' windows by
// lib/http/api-limits-retention.ts, the sign-in limits' rows by lib/auth/rate-limits-retention.ts.
// Deletes rejected commands older than IDEM_KEY_RETENTION_DAYS (default 30) that have no events —
// never a command that produced events — and rate-limit windows that ended. Safe to run at any
// time, on any number of hosts at once (each batch is one DELETE); run it daily (cron, a Kubernetes
// CronJob). Against DATABASE_URL, or the embedded development server in .data/postgres. It connects as
// the owner (IDEM_MIGRATION_DATABASE_URL when set) and works as the role idem_pruner, which it creates.
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { postgresFromEnv } from '../lib/db/embedded-postgres';
import { asPruner } from '../lib/db/roles';
import { withClient } from '../lib/db/with-client';
import { pruneAuthRateLimits } from '../lib/auth/rate-limits-retention';
import { pruneCommands } from '../lib/event-store';
import { pruneApiRateLimits } from '../lib/http/api-limits-retention';
import { runScript } from './run-script';

async function main(): Promise<number> {
  const config = loadConfig();
  const server = await postgresFromEnv({
    dataDir: path.join(process.env.IDEM_DATA_DIR ?? '.data', 'postgres'),
    database: 'idem',
  });
  try {
    const now = new Date();
    // As the pruner (lib/db/roles.ts): the app role may not delete commands, the ledger is append-only.
    const result = await withClient(server.ownerUrl, (client) =>
      asPruner(client, async () => ({
        commands: await pruneCommands(client, { retentionDays: config.IDEM_KEY_RETENTION_DAYS, now }),
        apiRateLimits: await pruneApiRateLimits(client, now),
        authRateLimits: await pruneAuthRateLimits(client, now),
      })),
    );
    console.log(
      `pruned ${result.commands} rejected command(s) past the retention, ${result.apiRateLimits} API and ${result.authRateLimits} sign-in rate-limit window(s)`,
    );
  } finally {
    await server.stop();
  }
  return 0;
}

runScript(main);
