// Imported once per app instance (see instrumentation.ts) when NATS_URL is set: every instance runs
// a relay, one of them publishes (lib/streaming/relay.ts), the others stand by. Graceful shutdown
// stops it: its session ends, its lock is freed, a standby takes over.
import { onShutdown } from '@/lib/process/lifecycle';
import { log } from '@/lib/observability/log';
import { loadConfig } from '@/lib/config';
import { relayMetrics } from './metrics';
import { Relay } from './relay';

const config = loadConfig();
if (config.DATABASE_URL && config.NATS_URL) {
  const m = relayMetrics();
  const relay = new Relay(
    { database: config.DATABASE_URL, nats: config.NATS_URL },
    {
      log: (line) => log().info({ component: 'relay' }, line),
      onPublished: (count, lag) => {
        m.published.inc(count);
        m.lag.set(lag);
      },
      onReconnect: () => m.reconnects.inc(),
    },
  );
  relay.start();
  onShutdown('jetstream relay', 1, () => relay.stop());
}
