// OpenTelemetry, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: the OTLP/HTTP (JSON) exporter,
// pg's and Prisma's instrumentation, and a span per command step (idem.command, idem.load,
// idem.decide, idem.commit) with the command id, type and outcome. Next.js creates the request's
// root span itself once a tracer provider is registered, so each request is one trace.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { CommandObserver } from './command-observer';
import { outcomeOf } from './command-observer';

export async function startTracing(
  serviceName: string,
): Promise<{ step: NonNullable<CommandObserver['step']>; shutdown: () => Promise<void> }> {
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { registerInstrumentations },
    { PgInstrumentation },
    { PrismaInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-pg'),
    import('@prisma/instrumentation'),
  ]);
  // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces) and OTEL_EXPORTER_OTLP_HEADERS;
  // the batch processor OTEL_BSP_* (e.g. OTEL_BSP_SCHEDULE_DELAY).
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.instance.id': `${process.pid}` }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  registerInstrumentations({
    instrumentations: [new PgInstrumentation({ requireParentSpan: true }), new PrismaInstrumentation()],
  });

  const tracer = trace.getTracer('idem');
  const step: NonNullable<CommandObserver['step']> = (name, attributes, run) =>
    tracer.startActiveSpan(`idem.${name}`, { attributes }, async (span) => {
      try {
        const result = await run();
        const status = (result as { status?: unknown } | null)?.status;
        if (typeof status === 'string')
          span.setAttribute('idem.outcome', outcomeOf(result as { status: string; replayed?: boolean }));
        return result;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  return { step, shutdown: () => provider.shutdown() };
}
