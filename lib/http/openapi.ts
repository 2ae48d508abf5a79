import 'server-only';
import { z } from 'zod';
import { moneyMovementBody, openAccountBody, transferBody } from '@/lib/http/account-api';
import {
  EXAMPLE_ACCOUNT_ID,
  EXAMPLE_IDEMPOTENCY_KEY,
  EVENT_STREAM_EXAMPLE,
  problemExamples,
  requestExamples,
  responseExamples,
} from '@/lib/http/openapi-examples';
import { DOCS_ASSETS } from '@/lib/http/docs-assets';
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from '@/lib/http/problem';
import { standingOrderPaths, standingOrderRequests, standingOrderResponses } from '@/lib/http/openapi-standing-orders';
import {
  webhookDeliveries,
  webhookPaths,
  webhookRequestExamples,
  webhookRequests,
  webhookResponseExamples,
  webhookResponses,
} from '@/lib/http/openapi-webhooks';

// The OpenAPI 3.1 document of the customer API, generated on each request from the zod schemas the
// routes validate with (request bodies: lib/http/account-api.ts — change a schema there and the
// document follows). Response bodies are described here; every response the test suites receive is
// validated against this document (test/openapi-validator.ts), so a drift fails the tests.

const Money = z
  .string()
  .regex(/^\d+\.\d{2}$/)
  .meta({ description: 'A decimal string with two decimals.', examples: ['12.34'] });
const Uuid = z.uuid();
const Version = z.int().min(0).meta({ description: 'The stream version this answer reflects.' });
const Timestamp = z.iso.datetime({ offset: true });

const AccountNumber = z
  .string()
  .regex(/^\d{12}$/)
  .meta({ description: 'The account number: 12 digits, the last a check digit.' });
const accountFields = { id: Uuid, accountNumber: AccountNumber, name: z.string(), balance: Money, version: Version };

const responses = {
  Account: z.strictObject(accountFields),
  AccountState: z.strictObject({ ...accountFields, updatedAt: Timestamp }),
  AccountList: z.strictObject({ accounts: z.array(z.strictObject({ ...accountFields, updatedAt: Timestamp })) }),
  Movement: z.strictObject({
    accountId: Uuid,
    amount: Money,
    balance: Money,
    version: Version,
    commandId: z.string().meta({ description: 'The Idempotency-Key of the command.' }),
  }),
  Transfer: z.strictObject({
    transferId: Uuid,
    from: Uuid,
    toAccountNumber: AccountNumber,
    amount: Money,
    fromBalance: Money,
    reference: z.string().optional().meta({ description: 'The payment reference, when the request gave one.' }),
  }),
  EventList: z.strictObject({
    events: z.array(
      z.strictObject({
        globalPosition: z
          .string()
          .regex(/^\d+$/)
          .meta({ description: 'Position in the global log (64-bit, as a string).' }),
        version: z.int().min(1),
        type: z.string(),
        data: z.record(z.string(), z.unknown()),
        createdAt: Timestamp,
      }),
    ),
    nextCursor: z
      .string()
      .regex(/^\d+$/)
      .nullable()
      .meta({ description: 'Pass as `cursor` to read the next page; null on the last page.' }),
  }),
  Live: z.strictObject({ status: z.literal('live') }),
  Ready: z.strictObject({ status: z.literal('ready') }),
  ...standingOrderResponses({ Money, AccountNumber }),
  Problem: z
    .looseObject({
      type: z.string().meta({ description: 'A stable URI reference: branch on it.' }),
      title: z.string(),
      status: z.int(),
      detail: z.string(),
      errors: z
        .array(
          z.union([
            z.strictObject({
              pointer: z.string().meta({ description: 'The JSON Pointer of a body field.' }),
              detail: z.string(),
            }),
            z.strictObject({ parameter: z.string().meta({ description: 'The query parameter.' }), detail: z.string() }),
          ]),
        )
        .optional(),
    })
    .meta({ description: 'RFC 9457 problem details.' }),
};

const requests = {
  OpenAccountRequest: openAccountBody,
  MoneyMovementRequest: moneyMovementBody,
  TransferRequest: transferBody,
  ...standingOrderRequests,
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  // The document declares the dialect once (OpenAPI 3.1 is JSON Schema 2020-12): no $schema per schema.
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  delete generated.$schema;
  return generated;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const EXAMPLES = { ...responseExamples, ...requestExamples, ...webhookResponseExamples, ...webhookRequestExamples };
const json = (name: keyof typeof EXAMPLES) => ({
  'application/json': { schema: ref(name), example: EXAMPLES[name] },
});

// Response headers, each documented where the routes send it (test/openapi-validator.ts checks them).
const RETRY_AFTER = {
  description: 'Seconds to wait before retrying (with the same Idempotency-Key, for a command).',
  schema: { type: 'string', pattern: '^\\d+$' },
  example: '1',
};
const REPLAYED = {
  description:
    'Present (`true`) on an answer replayed for an Idempotency-Key already applied: the original status and body.',
  schema: { type: 'string', enum: ['true'] },
};
// Read-your-writes on a read replica (lib/db/read-replica.ts; docs/operations.md).
const LSN_SCHEMA = { type: 'string', pattern: '^[0-9A-F]{1,8}/[0-9A-F]{1,8}$', example: '0/3000148' };
const COMMIT_LSN = {
  description:
    'Where this command committed in the database log (deployments with a read replica). Send it back as the `Idem-Commit-Lsn` header of a read (the `idem_lsn` cookie carries it for browsers) and the read sees this write.',
  schema: LSN_SCHEMA,
};
const COMMIT_LSN_PARAMETER = {
  name: 'Idem-Commit-Lsn',
  in: 'header',
  required: false,
  schema: LSN_SCHEMA,
  description:
    'The `Idem-Commit-Lsn` of your last command: a read replica serves this read only once it has replayed that commit, else the primary does.',
};
const READ_FROM = {
  description: 'Which database served this read: `replica` or `primary`.',
  schema: { type: 'string', enum: ['replica', 'primary'] },
};
const WWW_AUTHENTICATE = {
  description: 'The authentication scheme to use.',
  required: true,
  schema: { type: 'string' },
  example: 'Bearer realm="idem"',
};
type Options = { replayable?: boolean };

/** Problem responses for these problem types, grouped by status; each status lists (and enforces) its types. */
function problems(types: ProblemType[], { replayable = false }: Options = {}): Record<string, unknown> {
  const statuses = [...new Set(types.map((t) => PROBLEM_TYPES[t].status))].sort();
  const out: Record<string, unknown> = {};
  for (const status of statuses) {
    const ofStatus = types.filter((t) => PROBLEM_TYPES[t].status === status);
    const headers = {
      ...(status === 429 || status === 503 ? { 'Retry-After': { ...RETRY_AFTER, required: true } } : {}),
      ...(ofStatus.includes('concurrent-request') ? { 'Retry-After': RETRY_AFTER } : {}),
      ...(status === 401 ? { 'WWW-Authenticate': WWW_AUTHENTICATE } : {}),
      ...(replayable && [404, 409, 422].includes(status) ? { 'Idempotent-Replayed': REPLAYED } : {}),
    };
    out[String(status)] = {
      description: ofStatus.map((t) => `\`${problemTypeUri(t)}\`: ${PROBLEM_TYPES[t].title}`).join('; '),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              ref('Problem'),
              { properties: { type: { enum: ofStatus.map(problemTypeUri) }, status: { const: status } } },
            ],
          },
          examples: problemExamples(ofStatus),
        },
      },
    };
  }
  return out;
}

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'The command id: 1–255 visible ASCII characters, as a Structured Field string (`"…"`) or a bare token. The same key with the same request returns the original answer (`Idempotent-Replayed: true`); with another request, 422 `idempotency-key-reused`.',
  schema: { type: 'string', minLength: 1, maxLength: 257 },
  example: EXAMPLE_IDEMPOTENCY_KEY,
};
const ACCOUNT_ID = {
  name: 'accountId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'The account id (a UUID).',
  example: EXAMPLE_ACCOUNT_ID,
};
const PAGE_PARAMETERS = [
  {
    name: 'cursor',
    in: 'query',
    required: false,
    schema: { type: 'string', pattern: '^\\d+$' },
    description: 'The `nextCursor` of the previous page; absent for the first page.',
  },
  {
    name: 'limit',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    description: 'Events per page.',
  },
];

// Who may call: an API key, or the session cookie of a signed-in customer (a browser on this origin).
const CUSTOMER = [{ apiKey: [] }, { sessionCookie: [] }];
const CALLER_PROBLEMS: ProblemType[] = [
  'unauthorized',
  'customer-disabled',
  'too-many-requests',
  'internal-error',
  'service-unavailable',
];
const COMMAND_PROBLEMS: ProblemType[] = [
  ...CALLER_PROBLEMS,
  'invalid-request',
  'invalid-idempotency-key',
  'cross-site-request',
  'forbidden',
  'payload-too-large',
  'unsupported-media-type',
  'validation-failed',
  'idempotency-key-reused',
  'concurrent-request',
];

type Described = { operationId: string; summary: string; description: string };

function read(about: Described, success: Record<string, unknown>, types: ProblemType[], parameters: unknown[] = []) {
  return {
    ...about,
    tags: ['reads'],
    security: CUSTOMER,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: { ...success, ...problems([...CALLER_PROBLEMS, ...types]) },
  };
}

function command(
  about: Described,
  body: keyof typeof requestExamples,
  created: [keyof typeof responseExamples, string],
  types: ProblemType[],
  path: unknown[] = [],
) {
  return {
    ...about,
    description: `${about.description} Send an Idempotency-Key: a retry with the same key and body is applied at most once and gets the original answer.`,
    tags: ['commands'],
    security: CUSTOMER,
    parameters: [...path, IDEMPOTENCY_KEY],
    requestBody: { required: true, content: json(body) },
    responses: {
      '201': {
        description: created[1],
        headers: { 'Idempotent-Replayed': REPLAYED, 'Idem-Commit-Lsn': COMMIT_LSN },
        content: json(created[0]),
      },
      ...problems([...COMMAND_PROBLEMS, ...types], { replayable: true }),
    },
  };
}

function operations(
  about: Described,
  success: Record<string, unknown>,
  more: Record<string, unknown> = {},
  parameters: unknown[] = [],
) {
  return {
    ...about,
    tags: ['operations'],
    security: [],
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: { ...success, ...more },
  };
}
const ASSET = {
  name: 'file',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: [...DOCS_ASSETS] },
  description: 'A file of the reference page.',
  example: DOCS_ASSETS[0],
};
const text = (type: string) => ({ [type]: { schema: { type: 'string' } } });

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Idem customer API',
      version: '1',
      description:
        'Exactly-once commands on an event-sourced ledger. Every POST carries an Idempotency-Key: retry it freely, it is applied at most once. Amounts are decimal strings ("12.34"). Errors are RFC 9457 problem details: branch on their `type`.',
      contact: { name: 'The operators of this Idem instance' },
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'The instance that serves this document' }],
    tags: [
      { name: 'commands', description: 'Change money: each POST is applied exactly once per Idempotency-Key.' },
      { name: 'reads', description: "The caller's own accounts and their events." },
      {
        name: 'webhooks',
        description:
          'Endpoints that receive the events of your accounts, signed per Standard Webhooks (see `webhooks`).',
      },
      {
        name: 'operations',
        description: 'Health, metrics and this description: for load balancers, monitoring and client generators.',
      },
    ],
    security: CUSTOMER,
    paths: {
      '/api/accounts': {
        get: read(
          {
            operationId: 'listAccounts',
            summary: 'Your accounts',
            description: 'Every account of the caller (at most 1,000), never anyone else’s.',
          },
          { '200': { description: 'The accounts', content: json('AccountList') } },
          [],
        ),
        post: command(
          {
            operationId: 'openAccount',
            summary: 'Open an account',
            description: 'Opens an account for the caller, with an optional opening deposit.',
          },
          'OpenAccountRequest',
          ['Account', 'The account was opened'],
          ['account-already-open', 'balance-limit-exceeded'],
        ),
      },
      '/api/accounts/{accountId}': {
        get: read(
          {
            operationId: 'getAccount',
            summary: 'One account',
            description:
              'The balance and version of one of the caller’s accounts. Someone else’s account answers exactly like an unknown one (404).',
          },
          { '200': { description: 'The account', content: json('AccountState') } },
          ['account-not-found'],
          [ACCOUNT_ID],
        ),
      },
      '/api/accounts/{accountId}/deposits': {
        post: command(
          {
            operationId: 'depositMoney',
            summary: 'Deposit money',
            description: 'Adds money to one of the caller’s accounts.',
          },
          'MoneyMovementRequest',
          ['Movement', 'The deposit was recorded'],
          ['account-not-found', 'balance-limit-exceeded'],
          [ACCOUNT_ID],
        ),
      },
      '/api/accounts/{accountId}/withdrawals': {
        post: command(
          {
            operationId: 'withdrawMoney',
            summary: 'Withdraw money',
            description: 'Takes money from one of the caller’s accounts; never below zero.',
          },
          'MoneyMovementRequest',
          ['Movement', 'The withdrawal was recorded'],
          ['account-not-found', 'insufficient-funds'],
          [ACCOUNT_ID],
        ),
      },
      '/api/accounts/{accountId}/events': {
        get: read(
          {
            operationId: 'listAccountEvents',
            summary: "An account's events",
            description:
              'The events of one of the caller’s accounts, oldest first, a page at a time: pass `nextCursor` as `cursor` for the next page.',
          },
          {
            '200': {
              description: 'Its events, oldest first, one page',
              headers: { 'Idem-Read-From': READ_FROM },
              content: json('EventList'),
            },
          },
          ['account-not-found', 'invalid-request'],
          [ACCOUNT_ID, ...PAGE_PARAMETERS, COMMIT_LSN_PARAMETER],
        ),
      },
      '/api/accounts/{accountId}/events/stream': {
        get: read(
          {
            operationId: 'streamAccountEvents',
            summary: "An account's events as they happen",
            description:
              'Server-Sent Events (`text/event-stream`) of one of the caller’s accounts, within about a second of their commit on any instance. Each event has `id:` (its global log position), `event:` (the public type, e.g. `transfer.received`) and `data:` (the public event JSON `{type, timestamp, data}`, the same body webhooks send). Without `Last-Event-ID` the stream starts at the account’s latest event, or after the version `afterVersion` names; with it, it sends exactly the events after that one first (browsers reconnect with it by themselves). An idle stream sends a comment line every IDEM_LIVE_HEARTBEAT_SECONDS; each customer may hold IDEM_LIVE_STREAMS_PER_CUSTOMER streams open at once, whichever instances serve them (429 `too-many-streams` beyond); a shutting-down instance ends its streams, and the client reconnects elsewhere.',
          },
          {
            '200': {
              description: 'The stream; it stays open until the client or the instance ends it',
              content: { 'text/event-stream': { schema: { type: 'string' }, example: EVENT_STREAM_EXAMPLE } },
            },
          },
          ['account-not-found', 'invalid-request', 'too-many-streams', 'not-ready'],
          [
            ACCOUNT_ID,
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              schema: { type: 'string', pattern: '^\\d{1,19}$' },
              description: 'The `id:` of the last event received: the stream resumes right after it.',
              example: '42',
            },
            {
              name: 'afterVersion',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 0 },
              description:
                'Without `Last-Event-ID`: start after the account’s event of this version (the `version` a page or a read showed), so that nothing committed since is missed. Ignored when `Last-Event-ID` is sent.',
              example: 12,
            },
          ],
        ),
      },
      '/api/transfers': {
        post: command(
          {
            operationId: 'transferMoney',
            summary: 'Transfer money',
            description:
              'From one of the caller’s accounts to any account, by its number; both sides are recorded at once.',
          },
          'TransferRequest',
          ['Transfer', 'The transfer was recorded (both sides at once)'],
          ['account-not-found', 'insufficient-funds', 'balance-limit-exceeded', 'same-account'],
        ),
      },
      ...standingOrderPaths({
        read,
        command,
        json,
        problems,
        callerProblems: CALLER_PROBLEMS,
        security: CUSTOMER,
        accountId: ACCOUNT_ID,
      }),
      ...webhookPaths({
        problems,
        json: (name) => json(name as keyof typeof EXAMPLES),
        idempotencyKey: IDEMPOTENCY_KEY,
        replayed: REPLAYED,
        security: CUSTOMER,
        callerProblems: CALLER_PROBLEMS,
        commandProblems: COMMAND_PROBLEMS,
      }),
      '/api/health/live': {
        get: operations(
          {
            operationId: 'getLiveness',
            summary: 'Liveness',
            description: 'Answers 200 while the process serves requests; nothing else is checked.',
          },
          { '200': { description: 'The process serves', content: json('Live') } },
        ),
      },
      '/api/health/ready': {
        get: operations(
          {
            operationId: 'getReadiness',
            summary: 'Readiness',
            description:
              'Answers 200 when this instance should get traffic (database reachable, migrations applied, not draining), else 503 saying why.',
          },
          { '200': { description: 'Send traffic here', content: json('Ready') } },
          problems(['not-ready']),
        ),
      },
      '/api/metrics': {
        get: {
          ...operations(
            {
              operationId: 'getMetrics',
              summary: 'Prometheus metrics',
              description:
                'Prometheus text format, with `Authorization: Bearer <METRICS_TOKEN>`; without a token configured, metrics are only served on METRICS_PORT and this path answers 404.',
            },
            { '200': { description: 'Prometheus text format', content: text('text/plain') } },
            problems(['unauthorized', 'not-found']),
          ),
          security: [{ metricsToken: [] }],
        },
      },
      '/api/docs': {
        get: operations(
          {
            operationId: 'getApiReference',
            summary: 'API reference',
            description: 'This document, rendered for people (Swagger UI, served by this instance).',
          },
          { '200': { description: 'HTML', content: text('text/html') } },
        ),
      },
      '/api/docs/assets/{file}': {
        get: operations(
          {
            operationId: 'getApiReferenceAsset',
            summary: 'API reference asset',
            description: 'The scripts and style sheet the API reference page loads.',
          },
          { '200': { description: 'The file', content: { ...text('text/javascript'), ...text('text/css') } } },
          problems(['not-found']),
          [ASSET],
        ),
      },
      '/api/openapi.json': {
        get: operations(
          {
            operationId: 'getOpenApiDocument',
            summary: 'This document',
            description: 'This OpenAPI 3.1 document, generated from the schemas the routes validate with.',
          },
          { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        ),
      },
    },
    webhooks: webhookDeliveries((name) => json(name as keyof typeof EXAMPLES)),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (create one at /settings/api-keys): `Authorization: Bearer <key>`.',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'better-auth.session_token',
          description:
            'The session of a signed-in customer (named `__Secure-better-auth.session_token` over https). Commands then need this origin’s `Origin` header.',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN of the instance.' },
      },
      schemas: {
        ...Object.fromEntries(
          Object.entries({ ...requests, ...webhookRequests }).map(([name, schema]) => [
            name,
            jsonSchema(schema, 'input'),
          ]),
        ),
        ...Object.fromEntries(
          Object.entries(webhookResponses).map(([name, schema]) => [name, jsonSchema(schema, 'output')]),
        ),
        ...Object.fromEntries(Object.entries(responses).map(([name, schema]) => [name, jsonSchema(schema, 'output')])),
      },
    },
  };
}
