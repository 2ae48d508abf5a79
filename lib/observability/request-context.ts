// Per-request context (request id, customer id) for log lines written anywhere below a request:
// the command observer logs a command without being handed the request. The AsyncLocalStorage is a
// process singleton because Next.js bundles instrumentation.ts and route handlers separately.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { singleton } from '@/lib/singleton';

export type RequestContext = {
  requestId: string;
  method?: string;
  path?: string;
  customerId?: string;
  /** The request arrived after the instance began draining (new work, refused with a retryable 503). */
  arrivedWhileDraining?: boolean;
  /** The caller's last commit position (LSN), for replica reads that must see it (lib/db/read-replica.ts). */
  readAfterLsn?: string;
  /** The Node response, for headers set below the route (read-your-writes position, which server read). */
  response?: Pick<ServerResponse, 'setHeader' | 'getHeader' | 'headersSent'>;
  /** The database this request's replica-safe reads use, once chosen (a Prisma client; opaque here). */
  reader?: unknown;
};

const storage = () => singleton('requestContext', () => new AsyncLocalStorage<RequestContext>());

export function currentRequest(): RequestContext | undefined {
  return storage().getStore();
}

export function withRequestContext<T>(context: RequestContext, run: () => T): T {
  return storage().run(context, run);
}

/**
 * Enters a context for the rest of the current synchronous execution and everything it starts —
 * used at the very start of Node's request handling (lib/observability/http.ts), before Next.js
 * gets the request, so every log line below it carries the request id.
 */
export function enterRequestContext(context: RequestContext): void {
  storage().enterWith(context);
}

/** Called by authentication once it knows who is calling; later log lines carry the id. */
export function setCustomerId(customerId: string): void {
  const context = currentRequest();
  if (context) context.customerId = customerId;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's (or the load balancer's) X-Request-Id when it is sane, else a new one. */
export function requestIdOf(given: string | string[] | null | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
