// Imported once per app instance (see instrumentation.ts). Only one runner per projection works at
// a time across instances (lib/projections/runner.ts). IDEM_ASYNC_PROJECTIONS=off disables it.
import { ProjectionRunner } from './runner';

const url = process.env.DATABASE_URL;
if (url && process.env.IDEM_ASYNC_PROJECTIONS !== 'off') {
  const runner = new ProjectionRunner(url, { log: (line) => console.log(`[idem] ${line}`) });
  runner.start();
  const stop = () => void runner.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
