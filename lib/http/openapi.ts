import 'server-only';
import { z } from 'zod';
import { moneyMovementBody, openAccountBody, transferBody } from '@/lib/http/account-api';
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from '@/lib/http/problem';

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
  Transfer: z.strictObject({ transferId: Uuid, from: Uuid, toAccountNumber: AccountNumber, amount: Money, fromBalance: Money }),
  EventList: z.strictObject({
    events: z.array(
      z.strictObject({
        globalPosition: z.string().regex(/^\d+$/).meta({ description: 'Position in the global log (64-bit, as a string).' }),
        version: z.int().min(1),
        type: z.string(),
        data: z.record(z.string(), z.unknown()),
        createdAt: Timestamp,
      }),
    ),
    nextCursor: z.string().regex(/^\d+$/).nullable().meta({ description: 'Pass as `cursor` to read the next page; null on the last page.' }),
  }),
  Live: z.strictObject({ status: z.literal('live') }),
  Ready: z.strictObject({ status: z.literal('ready') }),
  Problem: z
    .looseObject({
      type: z.string().meta({ description: 'A stable URI reference: branch on it.' }),
      title: z.string(),
      status: z.int(),
      detail: z.string(),
      errors: z
        .array(
          z.union([
            z.strictObject({ pointer: z.string().meta({ description: 'The JSON Pointer of a body field.' }), detail: z.string() }),
            z.strictObject({ parameter: z.string().meta({ description: 'The query parameter.' }), detail: z.string() }),
          ]),
        )
        .optional(),
    })
    .meta({ description: 'RFC 9457 problem details.' }),
};

const requests = { OpenAccountRequest: openAccountBody, MoneyMovementRequest: moneyMovementBody, TransferRequest: transferBody };

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  // The document declares the dialect once (OpenAPI 3.1 is JSON Schema 2020-12): no $schema per schema.
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete generated.$schema;
  return generated;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Problem responses by status, each listing (and enforcing) the problem types of that status. */
function problems(statuses: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const status of statuses) {
    const types = (Object.keys(PROBLEM_TYPES) as ProblemType[]).filter((t) => PROBLEM_TYPES[t].status === status);
    out[String(status)] = {
      description: types.map((t) => `\`${problemTypeUri(t)}\`: ${PROBLEM_TYPES[t].title}`).join('; '),
      headers: [409, 429, 503].includes(status)
        ? { 'Retry-After': { schema: { type: 'string' }, description: 'Seconds to wait before retrying with the same Idempotency-Key.' } }
        : undefined,
      content: {
        'application/problem+json': {
          schema: { allOf: [ref('Problem'), { properties: { type: { enum: types.map(problemTypeUri) }, status: { const: status } } }] },
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
};
const ACCOUNT_ID = { name: 'accountId', in: 'path', required: true, schema: { type: 'string' }, description: 'The account id (a UUID).' };
const PAGE_PARAMETERS = [
  {
    name: 'cursor',
    in: 'query',
    required: false,
    schema: { type: 'string', pattern: '^\\d+$' },
    description: 'The `nextCursor` of the previous page; absent for the first page.',
  },
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, description: 'Events per page.' },
];
const REPLAYED = { 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] }, description: 'Present on a replayed answer.' } };
const COMMAND_PROBLEMS = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503];
const READ_PROBLEMS = [401, 404, 429, 500, 503];

const json = (schema: unknown) => ({ 'application/json': { schema } });
const created = (name: string, description: string) => ({ '201': { description, headers: REPLAYED, content: json(ref(name)) } });

function command(summary: string, body: string, success: Record<string, unknown>, pathParameters: unknown[] = []) {
  return {
    summary,
    tags: ['commands'],
    parameters: [...pathParameters, IDEMPOTENCY_KEY],
    requestBody: { required: true, content: json(ref(body)) },
    responses: { ...success, ...problems(COMMAND_PROBLEMS) },
  };
}

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Idem customer API',
      version: '1',
      description:
        'Exactly-once commands on an event-sourced ledger. Every POST carries an Idempotency-Key: retry it freely, it is applied at most once. Amounts are decimal strings ("12.34"). Errors are RFC 9457 problem details.',
    },
    security: [{ apiKey: [] }],
    paths: {
      '/api/accounts': {
        get: {
          summary: 'Your accounts',
          tags: ['reads'],
          responses: { '200': { description: 'The accounts', content: json(ref('AccountList')) }, ...problems(READ_PROBLEMS) },
        },
        post: command('Open an account', 'OpenAccountRequest', created('Account', 'The account was opened')),
      },
      '/api/accounts/{accountId}': {
        get: {
          summary: 'One account',
          tags: ['reads'],
          parameters: [ACCOUNT_ID],
          responses: { '200': { description: 'The account', content: json(ref('AccountState')) }, ...problems(READ_PROBLEMS) },
        },
      },
      '/api/accounts/{accountId}/deposits': {
        post: command('Deposit money', 'MoneyMovementRequest', created('Movement', 'The deposit was recorded'), [ACCOUNT_ID]),
      },
      '/api/accounts/{accountId}/withdrawals': {
        post: command('Withdraw money', 'MoneyMovementRequest', created('Movement', 'The withdrawal was recorded'), [ACCOUNT_ID]),
      },
      '/api/accounts/{accountId}/events': {
        get: {
          summary: "An account's events",
          tags: ['reads'],
          parameters: [ACCOUNT_ID, ...PAGE_PARAMETERS],
          responses: {
            '200': { description: 'Its events, oldest first, one page', content: json(ref('EventList')) },
            ...problems([400, ...READ_PROBLEMS]),
          },
        },
      },
      '/api/transfers': {
        post: command(
          'Transfer money from one of your accounts to any account, by its number',
          'TransferRequest',
          created('Transfer', 'The transfer was recorded (both sides at once)'),
        ),
      },
      '/api/health/live': {
        get: {
          summary: 'Liveness',
          tags: ['operations'],
          security: [],
          responses: { '200': { description: 'The process serves', content: json(ref('Live')) } },
        },
      },
      '/api/health/ready': {
        get: {
          summary: 'Readiness (database, migrations, not draining)',
          tags: ['operations'],
          security: [],
          responses: { '200': { description: 'Send traffic here', content: json(ref('Ready')) }, ...problems([503]) },
        },
      },
      '/api/metrics': {
        get: {
          summary: 'Prometheus metrics (or on METRICS_PORT without a token)',
          tags: ['operations'],
          security: [{ metricsToken: [] }],
          responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, ...problems([401, 404]) },
        },
      },
      '/api/docs': {
        get: {
          summary: 'This reference, readable',
          tags: ['operations'],
          security: [],
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
      '/api/openapi.json': {
        get: {
          summary: 'This document',
          tags: ['operations'],
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`.' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN of the instance.' },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(requests).map(([name, schema]) => [name, jsonSchema(schema, 'input')])),
        ...Object.fromEntries(Object.entries(responses).map(([name, schema]) => [name, jsonSchema(schema, 'output')])),
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
