// Next.js calls register() once when a server instance starts (never during `next build`).
// Each instance starts a projection runner (lib/projections/start-runner.ts).
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./lib/projections/start-runner');
}
