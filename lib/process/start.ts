// Everything an instance sets up once at start (imported by instrumentation.ts, Node.js runtime
// only): configuration check, logger, metrics and their sources, the command observer (and the
// live feed's wake-up after a command that appended events), HTTP
// tracking, tracing, the metrics port, and graceful shutdown. Nothing imported statically here may
// load pg: tracing must be registered first.
import { settleConfig, ConfigError } from '@/lib/config';
import { installForwardedHeaderTrust } from '@/lib/http/client-address';
import { setCommandObserver, type CommandObserver } from '@/lib/observability/command-observer';
import { trackHttp } from '@/lib/observability/http';
import { onShutdown } from './lifecycle';
import { log } from '@/lib/observability/log';
import { metrics, recordCommand, recordConflict } from '@/lib/observability/metrics';
import { startMetricsServer } from '@/lib/observability/metrics-server';
import { installShutdown } from './shutdown';

export async function startInstance(): Promise<void> {
  let config;
  try {
    config = settleConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`[idem] ${error.message}\n`);
    process.exit(1);
  }
  const logger = log();

  // Tracing first, so that pg is instrumented before anything loads it.
  let step: CommandObserver['step'];
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const { startTracing } = await import('@/lib/observability/tracing');
    const tracing = await startTracing(config.OTEL_SERVICE_NAME ?? 'idem');
    step = tracing.step;
    onShutdown('tracing', 3, tracing.shutdown);
    logger.info({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing: exporting spans over OTLP/HTTP');
  }

  // Only now the modules that load pg, so that pg's instrumentation sees it loaded.
  const [{ db, disconnectAll, poolOf, poolStats }, { projectionLag }, { liveWaker }] = await Promise.all([
    import('@/lib/db/prisma'),
    import('@/lib/observability/projection-lag'),
    import('@/lib/live/wake'),
  ]);
  // Every instance's live feed hears of what this one committed (lib/live/wake.ts).
  const waker = liveWaker(() => poolOf(db()));
  const m = metrics();
  m.sources.pools = poolStats;
  m.sources.projectionLag = projectionLag;
  setCommandObserver({
    step,
    finished(event) {
      recordCommand(event);
      if (event.outcome === 'accepted') waker.eventsCommitted();
      const fields = {
        commandId: event.commandId,
        commandType: event.type,
        outcome: event.outcome,
        attempts: event.attempts,
        durationMs: Math.round(event.durationMs * 10) / 10,
      };
      if (event.outcome === 'busy') logger.warn(fields, 'command');
      else logger.info(fields, 'command');
    },
    conflict(event) {
      recordConflict(event);
      logger.debug(
        { commandId: event.commandId, commandType: event.type, conflict: event.kind, attempt: event.attempt },
        'write conflict, retrying',
      );
    },
  });
  // Before anything reads X-Forwarded-*: only TRUSTED_PROXIES may set them (lib/http/client-address.ts).
  installForwardedHeaderTrust();
  trackHttp();

  if (config.METRICS_PORT) {
    try {
      const server = await startMetricsServer(config.METRICS_PORT, config.METRICS_HOST);
      onShutdown('metrics port', 1, () => new Promise((resolve) => server.close(() => resolve())));
      logger.info({ port: config.METRICS_PORT, host: config.METRICS_HOST ?? '127.0.0.1' }, 'metrics: serving /metrics');
    } catch (error) {
      process.stderr.write(
        `[idem] METRICS_PORT ${config.METRICS_PORT} cannot be used: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    }
  }

  onShutdown('database pool', 2, disconnectAll);
  installShutdown({ timeoutMs: config.IDEM_SHUTDOWN_TIMEOUT_MS ?? 10_000, logger });
}
