// Imported once per app instance (see instrumentation.ts). Only one runner per projection works at
// a time across instances (lib/projections/runner.ts). IDEM_ASYNC_PROJECTIONS=off disables it.
// Graceful shutdown stops it (lib/process/shutdown.ts): its session ends, leadership is freed.
import { onShutdown } from '@/lib/process/lifecycle';
import { log } from '@/lib/observability/log';
import { ProjectionRunner } from './runner';
import { loadConfig } from '@/lib/config';

const config = loadConfig();
const url = config.DATABASE_URL;
if (url && config.IDEM_ASYNC_PROJECTIONS !== 'off') {
  const runner = new ProjectionRunner(url, { log: (line) => log().info({ component: 'projections' }, line) });
  runner.start();
  onShutdown('projection runner', 1, () => runner.stop());
}
