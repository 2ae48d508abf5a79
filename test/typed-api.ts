import createClient from 'openapi-fetch';
import * as accounts from '@/app/api/accounts/route';
import * as account from '@/app/api/accounts/[accountId]/route';
import * as deposits from '@/app/api/accounts/[accountId]/deposits/route';
import * as withdrawals from '@/app/api/accounts/[accountId]/withdrawals/route';
import * as events from '@/app/api/accounts/[accountId]/events/route';
import * as eventStream from '@/app/api/accounts/[accountId]/events/stream/route';
import * as transfers from '@/app/api/transfers/route';
import * as standingOrders from '@/app/api/accounts/[accountId]/standing-orders/route';
import * as standingOrder from '@/app/api/standing-orders/[standingOrderId]/route';
import * as live from '@/app/api/health/live/route';
import * as ready from '@/app/api/health/ready/route';
import * as metrics from '@/app/api/metrics/route';
import * as docs from '@/app/api/docs/route';
import * as docsAssets from '@/app/api/docs/assets/[file]/route';
import * as openapi from '@/app/api/openapi.json/route';
import * as webhookEndpoints from '@/app/api/webhook-endpoints/route';
import * as webhookEndpoint from '@/app/api/webhook-endpoints/[endpointId]/route';
import * as webhookDeliveries from '@/app/api/webhook-endpoints/[endpointId]/deliveries/route';
import * as webhookReplay from '@/app/api/webhook-endpoints/[endpointId]/replay/route';
import * as webhookRotate from '@/app/api/webhook-endpoints/[endpointId]/rotate-secret/route';
import * as webhookTest from '@/app/api/webhook-endpoints/[endpointId]/test/route';
import * as webhookResend from '@/app/api/webhook-endpoints/[endpointId]/deliveries/[deliveryId]/resend/route';
import type { paths } from '@/lib/http/openapi-types';

// The API as a generated client sees it: openapi-fetch, typed by lib/http/openapi-types.ts (made from
// the OpenAPI document), whose `fetch` calls the route handlers in-process. A path, parameter or body
// the document does not describe fails the typecheck; a route the document does not follow fails the
// test that calls it (every answer is validated against the document: test/openapi-recorder.setup.ts).

const BASE = 'http://127.0.0.1:3000';

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;

// One route module per documented path: the typecheck fails when the document gains or loses a path.
const ROUTES = {
  '/api/accounts': accounts,
  '/api/accounts/{accountId}': account,
  '/api/accounts/{accountId}/deposits': deposits,
  '/api/accounts/{accountId}/withdrawals': withdrawals,
  '/api/accounts/{accountId}/events': events,
  '/api/accounts/{accountId}/events/stream': eventStream,
  '/api/transfers': transfers,
  '/api/accounts/{accountId}/standing-orders': standingOrders,
  '/api/standing-orders/{standingOrderId}': standingOrder,
  '/api/health/live': live,
  '/api/health/ready': ready,
  '/api/metrics': metrics,
  '/api/docs': docs,
  '/api/docs/assets/{file}': docsAssets,
  '/api/openapi.json': openapi,
  '/api/webhook-endpoints': webhookEndpoints,
  '/api/webhook-endpoints/{endpointId}': webhookEndpoint,
  '/api/webhook-endpoints/{endpointId}/deliveries': webhookDeliveries,
  '/api/webhook-endpoints/{endpointId}/replay': webhookReplay,
  '/api/webhook-endpoints/{endpointId}/rotate-secret': webhookRotate,
  '/api/webhook-endpoints/{endpointId}/test': webhookTest,
  '/api/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend': webhookResend,
} satisfies Record<keyof paths, object>;

const matchers = Object.entries(ROUTES).map(([template, module]) => {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  return { pattern, names, module: module as unknown as Record<string, Handler | undefined> };
});

/** A `fetch` that hands the request to the route handler of its path, as Next.js would. */
async function inProcessFetch(request: Request): Promise<Response> {
  const pathname = new URL(request.url).pathname;
  for (const { pattern, names, module } of matchers) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const handler = module[request.method];
    if (!handler) return new Response(null, { status: 405 });
    const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
    return handler(request, { params: Promise.resolve(params) });
  }
  throw new Error(`no route handler for ${request.method} ${pathname}`);
}

const isEventStream = (response: Response) =>
  (response.headers.get('content-type') ?? '').startsWith('text/event-stream');

// The bodies as sent, byte for byte (openapi-fetch parses error bodies as JSON): see answerText().
const texts = new WeakMap<Response, string>();

/** The body of an answer of typedApi() exactly as the route sent it. */
export function answerText(response: Response): string {
  const text = texts.get(response);
  if (text === undefined) throw new Error('not an answer of typedApi()');
  return text;
}

/** A typed client of the API, in-process; `headers` go on every request (e.g. `authorization`). */
export function typedApi(headers: Record<string, string> = {}) {
  return createClient<paths>({
    baseUrl: BASE,
    fetch: async (request) => {
      const response = await inProcessFetch(request);
      // An event stream never ends by itself: its body is the caller's to read (or cancel).
      texts.set(response, isEventStream(response) ? '' : await response.clone().text());
      return response;
    },
    headers,
    // Tests also send bodies that are not JSON objects: a string is sent as it is.
    bodySerializer: (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body)),
  });
}
