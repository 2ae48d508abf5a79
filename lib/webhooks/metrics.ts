import 'server-only';
// Webhook metrics, in the process's registry (lib/observability/metrics.ts): attempts by outcome,
// the lag from an event's commit to its acknowledged delivery, and the backlog read at scrape time.
import client from 'prom-client';
import { db } from '@/lib/db/prisma';
import { metrics } from '@/lib/observability/metrics';
import { singleton } from '@/lib/singleton';
import type { Recorded } from './claims';

function create() {
  const { registry } = metrics();
  const deliveries = new client.Counter({
    name: 'idem_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered, retry = failed and rescheduled, failed = given up, lost-lease).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lag = new client.Histogram({
    name: 'idem_webhook_delivery_lag_seconds',
    help: 'From an event to its acknowledged (2xx) delivery, retries included.',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000],
    registers: [registry],
  });
  new client.Gauge({
    name: 'idem_webhook_backlog',
    help: 'Webhook deliveries pending (not yet acknowledged or given up), and the age in seconds of the oldest.',
    labelNames: ['measure'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const backlog = await webhookBacklog();
        this.set({ measure: 'deliveries' }, backlog.pending);
        this.set({ measure: 'oldest_seconds' }, backlog.oldestSeconds);
      } catch {
        // database down: left out of this scrape (/api/health/ready reports it)
      }
    },
  });
  return { deliveries, lag };
}

const webhookMetrics = () => singleton('webhook-metrics', create);

export function recordDelivery(outcome: Recorded, eventAt: Date, now = Date.now()): void {
  const m = webhookMetrics();
  m.deliveries.inc({ outcome });
  if (outcome === 'delivered') m.lag.observe(Math.max(0, (now - eventAt.getTime()) / 1000));
}

/** Registers the metrics at start (a scrape before the first delivery shows them at 0). */
export const registerWebhookMetrics = (): void => void webhookMetrics();

export type WebhookBacklog = { pending: number; failed: number; oldestSeconds: number; disabledEndpoints: number };

/** Pending and failed deliveries, the oldest pending one's age, endpoints disabled (ops console, metrics). */
export async function webhookBacklog(): Promise<WebhookBacklog> {
  const rows = await db().$queryRaw<WebhookBacklog[]>`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           coalesce(extract(epoch FROM now() - min(event_at) FILTER (WHERE status = 'pending')), 0)::float8 AS "oldestSeconds",
           (SELECT count(*)::int FROM webhook_endpoints WHERE NOT enabled) AS "disabledEndpoints"
      FROM webhook_deliveries`;
  return rows[0] ?? { pending: 0, failed: 0, oldestSeconds: 0, disabledEndpoints: 0 };
}
