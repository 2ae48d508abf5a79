// Imported once per app instance (see instrumentation.ts): every instance runs a dispatcher, and
// they share the work through the database (./claims.ts). IDEM_WEBHOOKS=off disables it here.
// Graceful shutdown stops claiming and waits for the attempts in flight to be recorded.
import { loadConfig } from '@/lib/config';
import { notifyCustomer } from '@/lib/mail/notify';
import { log } from '@/lib/observability/log';
import { onShutdown } from '@/lib/process/lifecycle';
import { addressPolicyOf } from './address-policy';
import { WebhookDispatcher } from './dispatcher';
import { recordDelivery, registerWebhookMetrics } from './metrics';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from './schedule';
import { openSecret } from './secrets';

const config = loadConfig();
if (config.DATABASE_URL && config.IDEM_WEBHOOKS !== 'off') {
  registerWebhookMetrics();
  const dispatcher = new WebhookDispatcher(config.DATABASE_URL, {
    schedule: parseRetrySchedule(config.IDEM_WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_RETRY_SCHEDULE),
    policy: addressPolicyOf(config),
    openSecret,
    log: (line) => log().warn({ component: 'webhooks' }, line),
    onRecorded: (outcome, claimed) => recordDelivery(outcome, claimed.eventAt),
    onDisabled: (claimed, reason) => {
      log().warn({ component: 'webhooks', endpointId: claimed.endpointId }, 'webhook endpoint disabled');
      void notifyCustomer(claimed.customerId, { kind: 'webhook-endpoint-disabled', url: claimed.url, reason });
    },
  });
  dispatcher.start();
  onShutdown('webhook dispatcher', 1, () => dispatcher.stop());
}
