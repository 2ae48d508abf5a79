// The relay's Prometheus metrics, in the process's registry (lib/observability/metrics.ts): events
// published, the relay's lag (log events not yet published), reconnections to NATS.
import client from 'prom-client';
import { metrics } from '@/lib/observability/metrics';
import { singleton } from '@/lib/singleton';

type RelayMetrics = { published: client.Counter; lag: client.Gauge; reconnects: client.Counter };

export const relayMetrics = (): RelayMetrics =>
  singleton('relay-metrics', () => {
    const registers = [metrics().registry];
    return {
      published: new client.Counter({
        name: 'idem_relay_events_published_total',
        help: 'Events this process published to JetStream and JetStream acknowledged (duplicates it absorbed included).',
        registers,
      }),
      lag: new client.Gauge({
        name: 'idem_relay_lag_events',
        help: 'Events of the log after the relay position (log head minus relay position), as last seen by this process while it led.',
        registers,
      }),
      reconnects: new client.Counter({
        name: 'idem_relay_nats_reconnects_total',
        help: 'Times the relay reconnected to NATS.',
        registers,
      }),
    };
  });
