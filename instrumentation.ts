// Next.js calls register() once when a server instance starts (never during `next build`).
// Observability first (configuration check, logs, metrics, tracing, graceful shutdown:
// lib/observability/start.ts), then the projection runner (lib/projections/start-runner.ts).
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startObservability } = await import('./lib/observability/start');
  await startObservability();
  await import('./lib/projections/start-runner');
}
