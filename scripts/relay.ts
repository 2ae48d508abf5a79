// `npm run relay`: a JetStream relay apart from the web tier (DATABASE_URL and NATS_URL set). App
// instances with NATS_URL run one each already; any number may run, one publishes at a time
// (lib/streaming/relay.ts). METRICS_PORT serves its metrics. SIGTERM / Ctrl-C stops it cleanly.
import { ConfigError, loadConfig } from '../lib/config';
import { startMetricsServer } from '../lib/observability/metrics-server';
import { relayMetrics } from '../lib/streaming/metrics';
import { Relay } from '../lib/streaming/relay';

const say = (line: string) => console.log(`[relay] ${line}`);

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.NATS_URL) {
    console.error('[relay] DATABASE_URL and NATS_URL must be set (see docs/streaming.md)');
    process.exit(1);
  }
  const m = relayMetrics();
  const relay = new Relay(
    { database: config.DATABASE_URL, nats: config.NATS_URL },
    {
      log: say,
      onPublished: (count, lag) => {
        m.published.inc(count);
        m.lag.set(lag);
        if (count > 0) say(`published ${count} event(s); ${lag} behind the log`);
      },
      onReconnect: () => m.reconnects.inc(),
    },
  );
  relay.start();
  const server = config.METRICS_PORT ? await startMetricsServer(config.METRICS_PORT, config.METRICS_HOST) : null;
  say(`started (pid ${process.pid}); waiting to lead`);
  const stop = async () => {
    await relay.stop();
    server?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`[relay] ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
