// Counts every HTTP answer by route pattern and status, and tracks in-flight requests for graceful
// shutdown. It listens on Node's own diagnostics channels (http.server.request.start), so it sees
// every request Next.js serves — pages, route handlers, server actions, static files — without
// wrapping Next's server. It also gives each request its id (X-Request-Id from the load balancer,
// or a new one; echoed in the response) and enters the request context that log lines read.
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import { recordHttp } from './metrics';
import { isDraining, trackRequest } from '@/lib/process/lifecycle';
import { enterRequestContext, requestIdOf } from './request-context';
import { parseLsn } from './lsn';
import { singleton } from '@/lib/singleton';

type Route = { page: string; regex: RegExp };

/** Route patterns from the build's routes manifest: `/api/accounts/[accountId]/withdrawals`. */
function loadRoutes(distDir = path.join(process.cwd(), '.next')): Route[] {
  try {
    const manifest = JSON.parse(readFileSync(path.join(distDir, 'routes-manifest.json'), 'utf8')) as {
      staticRoutes?: { page: string; regex: string }[];
      dynamicRoutes?: { page: string; regex: string }[];
    };
    return [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((r) => ({
      page: r.page,
      regex: new RegExp(r.regex),
    }));
  } catch {
    return [];
  }
}

/** The route label of a request path; bounded cardinality (unknown paths are `other`). */
function routeOf(routes: Route[], url: string | undefined): string {
  const pathname = (url ?? '/').split('?')[0]!;
  if (pathname.startsWith('/_next/')) return '/_next';
  for (const route of routes) if (route.regex.test(pathname)) return route.page;
  return 'other';
}

const tracking = singleton('httpTracking', () => ({ installed: false }));

export function trackHttp(routes = loadRoutes()): void {
  if (tracking.installed) return;
  tracking.installed = true;
  subscribe('http.server.request.start', (message) => {
    const { request, response, server } = message as {
      request: IncomingMessage;
      response: ServerResponse;
      server: Server;
    };
    trackRequest(server, request, response);
    const requestId = requestIdOf(request.headers['x-request-id']);
    response.setHeader('x-request-id', requestId);
    enterRequestContext({
      requestId,
      method: request.method,
      path: (request.url ?? '/').split('?')[0],
      arrivedWhileDraining: isDraining(),
      readAfterLsn: callerLsn(request),
      response,
    });
    response.once('finish', () => recordHttp(routeOf(routes, request.url), response.statusCode));
  });
}

/** The caller's last commit position: the Idem-Commit-Lsn header, else the idem_lsn cookie. */
function callerLsn(request: IncomingMessage): string | undefined {
  const header = request.headers['idem-commit-lsn'];
  const cookie = /(?:^|;\s*)idem_lsn=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  return parseLsn(typeof header === 'string' ? header : undefined) ?? parseLsn(cookie);
}
