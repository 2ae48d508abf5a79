// Graceful shutdown on SIGTERM / SIGINT:
//   1. at once: readiness answers 503 (load balancers take the instance out), API commands that
//      arrive from now on are refused with a retryable 503 (lib/http/api-handler.ts; those already
//      in flight go on), every answer closes its connection;
//   2. requests in flight finish, for at most IDEM_SHUTDOWN_TIMEOUT_MS;
//   3. the listening socket closes and the remaining connections are cut;
//   4. the projection runner stops (its session ends: leadership is released), the pool closes,
//      telemetry is flushed; exit 0.
// Next.js handles these signals itself unless NEXT_MANUAL_SIG_HANDLE is set (its handler waits for
// every connection without a bound and exits 143); `npm start`, `npm run cluster` and the test
// harness set it for `next start`. Without it, SIGTERM still turns readiness to 503 at once.
import type { Logger } from 'pino';
import { inFlight, servers, shutdownHooks, startDraining, waitForIdle } from './lifecycle';
import { singleton } from '@/lib/singleton';
import { loadConfig } from '@/lib/config';

export function installShutdown({ timeoutMs, logger }: { timeoutMs: number; logger: Logger }): void {
  const once = singleton('shutdownInstalled', () => ({ installed: false }));
  if (once.installed) return;
  once.installed = true;

  const config = loadConfig();
  if (!config.NEXT_MANUAL_SIG_HANDLE) {
    process.once('SIGTERM', () => startDraining());
    if (config.NODE_ENV === 'production')
      logger.warn(
        'NEXT_MANUAL_SIG_HANDLE is not set: Next.js handles SIGTERM itself (no bounded drain; exit code 143)',
      );
    return;
  }

  let first: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first) {
      // A second Ctrl-C means "now". A Ctrl-C that arrives with the SIGTERM of the script that
      // started this instance (both come from one Ctrl-C in a terminal: the whole process group gets
      // it) is the same request to stop, not a second one: the drain finishes.
      if (signal === 'SIGINT' && first === 'SIGINT') process.exit(130);
      return;
    }
    first = signal;
    void shutdown(signal, timeoutMs, logger).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  watchStarter(() => onSignal('SIGTERM'));
}

/**
 * `npm start` (scripts/start.ts) hands its pid over in IDEM_STARTER_PID: if it dies without
 * stopping this instance (SIGKILL, a crash), the instance drains and exits as on SIGTERM instead
 * of serving on as an orphan nobody will stop.
 */
function watchStarter(stop: () => void): void {
  const starter = loadConfig().IDEM_STARTER_PID;
  if (starter === undefined || starter <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(starter, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return; // EPERM: alive, someone else's
      clearInterval(timer);
      stop();
    }
  }, 500);
  timer.unref();
}

async function shutdown(signal: string, timeoutMs: number, logger: Logger): Promise<void> {
  startDraining();
  const listening = servers();
  logger.info({ signal, inFlight: inFlight(), timeoutMs }, 'shutting down: draining');
  for (const server of listening) server.closeIdleConnections();
  const finished = await waitForIdle(timeoutMs);
  if (!finished) logger.warn({ inFlight: inFlight() }, 'shutdown timeout: closing the remaining connections');
  for (const server of listening) {
    server.close();
    server.closeAllConnections();
  }
  for (const hook of shutdownHooks()) {
    try {
      await hook.run();
    } catch (error) {
      logger.warn(
        { step: hook.name, err: { message: error instanceof Error ? error.message : String(error) } },
        'shutdown step failed',
      );
    }
  }
  logger.info({ signal }, 'shutdown complete');
  logger.flush();
}
