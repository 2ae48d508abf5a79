// Imported once per app instance (instrumentation.ts). Every instance runs the standing-order
// scheduler (lib/standing-orders/scheduler.ts); IDEM_SCHEDULER_INTERVAL=off disables it here.
// Graceful shutdown stops it after the look in progress.
import { readFileSync } from 'node:fs';
import { loadConfig } from '@/lib/config';
import { errorFields, log } from '@/lib/observability/log';
import { onShutdown } from '@/lib/process/lifecycle';
import { StandingOrderScheduler } from './scheduler';
import { testClockFile } from './test-clock';

const config = loadConfig();
if (config.DATABASE_URL && config.IDEM_SCHEDULER_INTERVAL !== 'off') {
  const file = testClockFile(config);
  const offset = () => (file ? Number(readFileSync(file, 'utf8').trim()) || 0 : 0);
  const scheduler = new StandingOrderScheduler({
    clock: () => new Date(Date.now() + offset()),
    batch: config.IDEM_SCHEDULER_BATCH ?? 100,
    intervalMs: Number(config.IDEM_SCHEDULER_INTERVAL ?? '30') * 1000,
    onError: (error) => log().error({ component: 'scheduler', ...errorFields(error) }, 'standing-order look failed'),
  });
  scheduler.start();
  onShutdown('standing-order scheduler', 1, () => scheduler.stop());
}
