// Next.js calls register() once when a server instance starts (never during `next build`).
// The instance first (configuration check, logs, metrics, tracing, graceful shutdown:
// lib/process/start.ts), then the projection runner (lib/projections/start-runner.ts), the
// standing-order scheduler (lib/standing-orders/start-scheduler.ts) and, with NATS_URL, the JetStream relay
// (lib/streaming/start-relay.ts).
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startInstance } = await import('./lib/process/start');
  await startInstance();
  await import('./lib/projections/start-runner');
  await import('./lib/webhooks/start-dispatcher');
  await import('./lib/standing-orders/start-scheduler');
  await import('./lib/streaming/start-relay');
}
