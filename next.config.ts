import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Server-only packages that must not be bundled: loaded by Node's require, so there is one copy per
  // process (one metrics registry, one tracer provider) and OpenTelemetry can hook pg's require.
  serverExternalPackages: [
    'pg',
    '@prisma/adapter-pg',
    'prom-client',
    'pino',
    'pino-pretty',
    '@opentelemetry/api',
    '@opentelemetry/sdk-trace-node',
    '@opentelemetry/exporter-trace-otlp-http',
    '@opentelemetry/resources',
    '@opentelemetry/instrumentation',
    '@opentelemetry/instrumentation-pg',
    '@prisma/instrumentation',
  ],
};

export default nextConfig;
