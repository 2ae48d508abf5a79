// A standalone projection runner process: `tsx scripts/projections.ts` with DATABASE_URL set.
// App instances run one each already; this is for running projections apart from the web tier,
// and for the two-process takeover test.
import { ProjectionRunner } from '../lib/projections/runner';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(1);
}
const runner = new ProjectionRunner(url, {
  pollMs: Number(process.env.IDEM_PROJECTION_POLL_MS ?? 200),
  log: (line) => console.log(`[projections] ${line}`),
});
runner.start();
console.log(`[projections] runner started (pid ${process.pid})`);
const stop = async () => {
  await runner.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
