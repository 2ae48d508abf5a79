// Next.js calls register() once when a server instance starts (never during `next build`).
// Each instance starts a projection runner; only one per projection works at a time (see
// lib/projections/runner.ts). IDEM_ASYNC_PROJECTIONS=off disables it (e.g. for a read-only replica).
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.IDEM_ASYNC_PROJECTIONS === 'off' || !process.env.DATABASE_URL) return;
  const { ProjectionRunner } = await import('./lib/projections/runner');
  const runner = new ProjectionRunner(process.env.DATABASE_URL, { log: (line) => console.log(`[idem] ${line}`) });
  runner.start();
  const stop = () => void runner.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
