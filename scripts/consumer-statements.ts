// `npm run consumer:statements`: builds monthly statements per account from the JetStream stream
// IDEM_EVENTS into its own schema `statements` (lib/statements). Needs NATS_URL and a database URL
// whose role may create that schema: STATEMENTS_DATABASE_URL, else IDEM_MIGRATION_DATABASE_URL, else
// DATABASE_URL. The app's role (DATABASE_URL's user) is granted SELECT for the account page.
import { loadConfig } from '../lib/config';
import { StatementsConsumer } from '../lib/statements/consumer';

const say = (line: string) => console.log(`[statements] ${line}`);

const config = loadConfig();
const databaseUrl = config.STATEMENTS_DATABASE_URL ?? config.IDEM_MIGRATION_DATABASE_URL ?? config.DATABASE_URL;
if (!databaseUrl || !config.NATS_URL) {
  console.error('[statements] NATS_URL and a database URL must be set (see docs/streaming.md)');
  process.exit(1);
}
const readerRole = config.DATABASE_URL ? decodeURIComponent(new URL(config.DATABASE_URL).username) : undefined;
const consumer = new StatementsConsumer(
  { database: databaseUrl, nats: config.NATS_URL },
  {
    readerRole: readerRole || undefined,
    log: say,
    onApplied: (count, seq) => say(`applied ${count} message(s), up to stream sequence ${seq}`),
  },
);
consumer.start();
say(`started (pid ${process.pid})`);
const stop = async () => {
  await consumer.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
