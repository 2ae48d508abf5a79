import type { NextConfig } from 'next';
import { allowedHosts } from './lib/http/origins';
import { securityHeaders } from './lib/http/security-headers';

// A wrong origin setting must not crash the config load with a stack trace: the instance's start-up
// check (lib/config.ts, instrumentation.ts) then exits 1 with one line naming the variable.
function configuredHosts(): string[] {
  try {
    return allowedHosts();
  } catch {
    return [];
  }
}

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Pages get these (and their CSP with a nonce) from proxy.ts; the JSON API's answers get them here.
  async headers() {
    const plain = Object.entries(securityHeaders({ https: false })).map(([key, value]) => ({ key, value }));
    // JSON answers load nothing. The reference page (/api/docs and its assets) sets its own policy:
    // Swagger UI's scripts from this origin only (app/api/docs/route.ts); a second, stricter policy
    // here would block them (browsers enforce every CSP header they get).
    return [
      {
        source: '/api/:path((?!docs(?:/|$)).*)',
        headers: [...plain, { key: 'content-security-policy', value: "default-src 'none'; frame-ancestors 'none'" }],
      },
      { source: '/api/docs', headers: plain },
      { source: '/api/docs/:path*', headers: plain },
    ];
  },
  experimental: {
    // Next.js' own CSRF check of server actions compares the Origin's host with Host: hosts of the
    // configured origins (APP_ORIGIN, BETTER_AUTH_URL, IDEM_TRUSTED_ORIGINS; read when the server
    // starts) pass it too. proxy.ts then holds server actions to the full origin.
    serverActions: { allowedOrigins: configuredHosts() },
  },
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
