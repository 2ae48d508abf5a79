// RFC 9457 problem details. Each kind of error has a stable `type`; clients branch on it, people
// read `title` and `detail`. The one place that turns failures into HTTP.

export const PROBLEM_TYPES = {
  'invalid-request': { status: 400, title: 'The request is malformed' },
  'invalid-idempotency-key': { status: 400, title: 'Missing or malformed Idempotency-Key header' },
  unauthorized: { status: 401, title: 'Sign-in required' },
  'customer-disabled': { status: 401, title: 'Customer disabled' },
  forbidden: { status: 403, title: 'Forbidden' },
  'cross-site-request': { status: 403, title: 'Cross-site requests are not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'account-not-found': { status: 404, title: 'Account not found' },
  'webhook-endpoint-not-found': { status: 404, title: 'Webhook endpoint not found' },
  'webhook-delivery-not-found': { status: 404, title: 'Webhook delivery not found' },
  'concurrent-request': { status: 409, title: 'Busy: try again' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Only application/json is accepted' },
  'validation-failed': { status: 422, title: 'The request body is invalid' },
  'insufficient-funds': { status: 422, title: 'Insufficient funds' },
  'balance-limit-exceeded': { status: 422, title: 'Balance limit exceeded' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key already used for a different request' },
  'webhook-endpoint-limit': { status: 422, title: 'Too many webhook endpoints' },
  'same-account': { status: 422, title: 'Source and destination are the same account' },
  'account-already-open': { status: 409, title: 'Account already open' },
  'standing-order-not-found': { status: 404, title: 'Standing order not found' },
  'standing-order-cancelled': { status: 409, title: 'Standing order already cancelled' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  'too-many-streams': { status: 429, title: 'Too many open event streams' },
  'internal-error': { status: 500, title: 'Internal error' },
  'not-ready': { status: 503, title: 'This instance is not ready to serve' },
  'service-unavailable': { status: 503, title: 'The database is unavailable: retry with the same Idempotency-Key' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
};

export const problemTypeUri = (type: ProblemType) => `/problems/${type}`;

export function problem(type: ProblemType, detail: string, extensions: Record<string, unknown> = {}): Problem {
  const { status, title } = PROBLEM_TYPES[type];
  return { type: problemTypeUri(type), title, status, detail, ...extensions };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** An unknown API path, and the admin API to anyone but an admin: one answer, which repeats nothing of the request. */
export const noEndpoint = () =>
  problemResponse(
    problem('not-found', 'There is no API endpoint at this address. The endpoints are listed in /api/openapi.json.'),
  );
