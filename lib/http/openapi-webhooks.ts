import 'server-only';
import { z } from 'zod';
import type { ProblemType } from '@/lib/http/problem';
import { PUBLISHED_EVENT_TYPES } from '@/lib/public-events/public-forms';
import {
  emptyBody,
  endpointUpdateBody,
  MAX_ENDPOINTS_PER_CUSTOMER,
  newEndpointBody,
  replayBody,
} from '@/lib/webhooks/rules';

// The webhook part of the OpenAPI document (lib/http/openapi.ts): the endpoint API's paths and
// schemas, and the delivery itself under the document's `webhooks` (what Idem POSTs to an endpoint).

const Uuid = z.uuid();
const Digits = z.string().regex(/^\d+$/);
const Timestamp = z.iso.datetime({ offset: true });
const EventTypes = z
  .array(z.enum(PUBLISHED_EVENT_TYPES))
  .meta({ description: 'The event types the endpoint receives; empty: every type.' });
const Endpoint = {
  id: Uuid,
  url: z.string().meta({ description: 'Where deliveries are POSTed.' }),
  eventTypes: EventTypes,
};
const EndpointState = z.strictObject({
  ...Endpoint,
  enabled: z.boolean(),
  disabledReason: z
    .string()
    .nullable()
    .meta({ description: 'Why it is disabled (by you, or after 5 days of failures).' }),
  createdAt: Timestamp,
});
const Money = z.string().regex(/^-?\d+\.\d{2}$/);
const Counterparty = z.strictObject({
  name: z.string().meta({ description: 'Masked: "G. H*****".' }),
  accountNumber: z.string(),
});

export const webhookResponses = {
  WebhookEndpointCreated: z.strictObject({
    ...Endpoint,
    secret: z
      .string()
      .regex(/^whsec_/)
      .meta({ description: 'The signing secret (Standard Webhooks `whsec_…`): shown this once, keep it.' }),
  }),
  WebhookEndpoint: EndpointState,
  WebhookEndpointList: z.strictObject({ endpoints: z.array(EndpointState) }),
  WebhookDeliveryList: z.strictObject({
    deliveries: z.array(
      z.strictObject({
        id: Digits,
        eventId: z.string().meta({ description: 'The `webhook-id` every attempt of this event carries.' }),
        eventType: z.string(),
        status: z
          .enum(['pending', 'delivered', 'failed'])
          .meta({ description: '`failed`: given up after the last retry (a dead letter).' }),
        attempts: z.int().min(0),
        lastStatusCode: z.int().nullable(),
        lastError: z.string().nullable(),
        lastResponse: z.string().nullable().meta({ description: 'The last answer’s body, at most 1 KB.' }),
        lastAttemptAt: Timestamp.nullable(),
        nextAttemptAt: Timestamp.nullable(),
        createdAt: Timestamp,
      }),
    ),
    nextCursor: Digits.nullable().meta({
      description: 'Pass as `cursor` for older deliveries; null on the last page.',
    }),
  }),
  WebhookDeliveryQueued: z.strictObject({
    endpointId: Uuid,
    deliveryId: Digits.meta({ description: 'The new delivery: its `id` in the deliveries list.' }),
    eventId: z.string().meta({ description: 'The `webhook-id` it is sent with.' }),
    eventType: z.string(),
  }),
  WebhookReplay: z.strictObject({
    endpointId: Uuid,
    from: Timestamp,
    events: z.int().min(0).meta({ description: 'How many events will be delivered again.' }),
  }),
  WebhookSecret: z.strictObject({
    id: Uuid,
    secret: z
      .string()
      .regex(/^whsec_/)
      .meta({ description: 'The new signing secret: shown this once.' }),
    previousSecretValidUntil: Timestamp.meta({
      description: 'Until then deliveries carry a signature with the previous secret too.',
    }),
  }),
  WebhookEvent: z.strictObject({
    type: z.enum([...PUBLISHED_EVENT_TYPES, 'webhook.test']),
    timestamp: Timestamp,
    data: z.looseObject({
      schemaVersion: z.literal(1),
      eventId: z.string().meta({ description: 'The same as the `webhook-id` header.' }),
      accountId: Uuid.optional(),
      accountNumber: z.string().optional(),
      version: z.int().min(1).optional().meta({ description: 'The account stream’s version.' }),
      amount: Money.optional(),
      balance: Money.optional(),
      currency: z.literal('USD').optional(),
      at: Timestamp,
      commandId: z.string().optional().meta({ description: 'Only for your own commands.' }),
      transferId: Uuid.optional(),
      to: Counterparty.optional(),
      from: Counterparty.optional(),
      reference: z.string().optional(),
      standingOrderId: Uuid.optional().meta({ description: '`standing_order.*` only: the order.' }),
      dueOn: z.iso
        .date()
        .optional()
        .meta({ description: '`standing_order.*` only: the payment’s due day (YYYY-MM-DD).' }),
      reason: z
        .string()
        .optional()
        .meta({ description: '`standing_order.refused` only: why the payment was refused, after the retry.' }),
      endpointId: Uuid.optional().meta({ description: '`webhook.test` only.' }),
    }),
  }),
};

export const webhookRequests = {
  NewWebhookEndpointRequest: newEndpointBody,
  WebhookReplayRequest: replayBody,
  WebhookRotateRequest: emptyBody,
  WebhookEndpointUpdateRequest: endpointUpdateBody,
  WebhookTestRequest: emptyBody,
  WebhookResendRequest: emptyBody,
};

const ENDPOINT_ID = '5d1c2a34-7f0e-4b8e-9a1f-0c6d2e3b4a59';
const AT = '2026-12-06T09:30:00.000Z';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export const webhookRequestExamples = {
  NewWebhookEndpointRequest: { url: 'https://books.example/webhooks/idem', eventTypes: ['transfer.received'] },
  WebhookReplayRequest: { from: AT },
  WebhookRotateRequest: {},
  WebhookEndpointUpdateRequest: { enabled: false },
  WebhookTestRequest: {},
  WebhookResendRequest: {},
};

const ENDPOINT = {
  id: ENDPOINT_ID,
  url: 'https://books.example/webhooks/idem',
  eventTypes: [],
  enabled: true,
  disabledReason: null,
  createdAt: AT,
};
const TEST_QUEUED = {
  endpointId: ENDPOINT_ID,
  deliveryId: '43',
  eventId: 'evt_test_3f9d2c4e-8b1a-4e6f-9c2d-7a5b1e0f4d83',
  eventType: 'webhook.test',
};

export const webhookResponseExamples = {
  WebhookEndpointCreated: {
    id: ENDPOINT_ID,
    url: 'https://books.example/webhooks/idem',
    eventTypes: ['transfer.received'],
    secret: SECRET,
  },
  WebhookEndpoint: { ...ENDPOINT, enabled: false, disabledReason: 'Disabled by you.' },
  WebhookEndpointList: { endpoints: [ENDPOINT] },
  WebhookDeliveryList: {
    deliveries: [
      {
        id: '42',
        eventId: 'evt_account-0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61_3',
        eventType: 'money.withdrawn',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 204,
        lastError: null,
        lastResponse: '',
        lastAttemptAt: AT,
        nextAttemptAt: null,
        createdAt: AT,
      },
    ],
    nextCursor: null,
  },
  WebhookDeliveryQueued: {
    endpointId: ENDPOINT_ID,
    deliveryId: '44',
    eventId: 'evt_account-0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61_3',
    eventType: 'money.withdrawn',
  },
  WebhookReplay: { endpointId: ENDPOINT_ID, from: AT, events: 12 },
  WebhookSecret: { id: ENDPOINT_ID, secret: SECRET, previousSecretValidUntil: '2026-12-07T09:30:00.000Z' },
  WebhookEvent: {
    type: 'money.withdrawn',
    timestamp: AT,
    data: {
      schemaVersion: 1,
      eventId: 'evt_account-0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61_3',
      accountId: '0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61',
      accountNumber: '100000000018',
      version: 3,
      amount: '12.34',
      balance: '87.66',
      currency: 'USD',
      at: AT,
      commandId: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    },
  },
};

type Helpers = {
  problems: (types: ProblemType[], options?: { replayable?: boolean }) => Record<string, unknown>;
  json: (name: string) => Record<string, unknown>;
  idempotencyKey: Record<string, unknown>;
  replayed: Record<string, unknown>;
  security: unknown[];
  callerProblems: ProblemType[];
  commandProblems: ProblemType[];
};

const ENDPOINT_PARAMETER = {
  name: 'endpointId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'The endpoint id (a UUID). Another customer’s endpoint answers like an unknown one (404).',
  example: ENDPOINT_ID,
};
const DELIVERY_PARAMETER = {
  name: 'deliveryId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description:
    'The delivery id (its `id` in the deliveries list). A delivery of another endpoint answers like an unknown one (404).',
  example: '42',
};
const WRITE = ' Needs a write-scoped API key, or a session from this origin.';
const IDEMPOTENT =
  ' Send an Idempotency-Key: a retry with the same key and body is applied at most once and gets the original answer.';

export function webhookPaths(h: Helpers) {
  const base = (operationId: string, summary: string, description: string) => ({
    operationId,
    summary,
    description,
    tags: ['webhooks'],
    security: h.security,
  });
  // `example`: another one than the schema's, when two operations answer with one schema.
  const created = (status: string, description: string, schema: string, example?: unknown) => ({
    [status]: {
      description,
      headers: { 'Idempotent-Replayed': h.replayed },
      content:
        example === undefined
          ? h.json(schema)
          : { 'application/json': { ...h.json(schema)['application/json']!, example } },
    },
  });
  return {
    '/api/webhook-endpoints': {
      get: {
        ...base(
          'listWebhookEndpoints',
          'Your webhook endpoints',
          'Every webhook endpoint of the caller, oldest first. Secrets are never shown again.',
        ),
        responses: {
          '200': { description: 'The endpoints', content: h.json('WebhookEndpointList') },
          ...h.problems(h.callerProblems),
        },
      },
      post: {
        ...base(
          'createWebhookEndpoint',
          'Add a webhook endpoint',
          `Adds an endpoint that receives every event of the caller’s accounts (or the \`eventTypes\` given), signed per Standard Webhooks. The answer holds the signing secret, shown this once. At most ${MAX_ENDPOINTS_PER_CUSTOMER} endpoints per customer; in production, hosts on loopback, private or link-local addresses are refused.${IDEMPOTENT}`,
        ),
        parameters: [h.idempotencyKey],
        requestBody: { required: true, content: h.json('NewWebhookEndpointRequest') },
        responses: {
          ...created('201', 'The endpoint was added', 'WebhookEndpointCreated'),
          ...h.problems([...h.commandProblems, 'webhook-endpoint-limit'], { replayable: true }),
        },
      },
    },
    '/api/webhook-endpoints/{endpointId}': {
      get: {
        ...base(
          'getWebhookEndpoint',
          'A webhook endpoint',
          'One endpoint of the caller, as the list shows it: whether it is enabled, and why not. Its secret is never shown again.',
        ),
        parameters: [ENDPOINT_PARAMETER],
        responses: {
          '200': { description: 'The endpoint', content: h.json('WebhookEndpoint') },
          ...h.problems([...h.callerProblems, 'webhook-endpoint-not-found']),
        },
      },
      patch: {
        ...base(
          'updateWebhookEndpoint',
          'Enable or disable a webhook endpoint',
          `\`{"enabled": false}\` stops the endpoint’s deliveries: the pending ones wait, and events of the meantime are not queued for it (replay them from a time once it is enabled). \`{"enabled": true}\` starts it again and clears \`disabledReason\` and the 5-day failure clock (after an automatic disable too): its pending deliveries go out in order. Setting the value it already has changes nothing, so a retry is safe without an Idempotency-Key.${WRITE}`,
        ),
        parameters: [ENDPOINT_PARAMETER],
        requestBody: { required: true, content: h.json('WebhookEndpointUpdateRequest') },
        responses: {
          '200': { description: 'The endpoint after the change', content: h.json('WebhookEndpoint') },
          ...h.problems([
            ...h.callerProblems,
            'webhook-endpoint-not-found',
            'forbidden',
            'cross-site-request',
            'invalid-request',
            'payload-too-large',
            'unsupported-media-type',
            'validation-failed',
          ]),
        },
      },
      delete: {
        ...base(
          'deleteWebhookEndpoint',
          'Delete a webhook endpoint',
          `Deletes the endpoint and its deliveries; nothing more is sent to it.${WRITE}`,
        ),
        parameters: [ENDPOINT_PARAMETER],
        responses: {
          '204': { description: 'Deleted' },
          ...h.problems([...h.callerProblems, 'webhook-endpoint-not-found', 'forbidden', 'cross-site-request']),
        },
      },
    },
    '/api/webhook-endpoints/{endpointId}/deliveries': {
      get: {
        ...base(
          'listWebhookDeliveries',
          'An endpoint’s deliveries',
          'The endpoint’s deliveries, newest first, a page at a time: status, attempts, the last answer’s code and body (1 KB at most).',
        ),
        parameters: [
          ENDPOINT_PARAMETER,
          {
            name: 'cursor',
            in: 'query',
            required: false,
            schema: { type: 'string', pattern: '^\\d+$' },
            description: 'The `nextCursor` of the previous page.',
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            description: 'Deliveries per page.',
          },
        ],
        responses: {
          '200': { description: 'One page of deliveries', content: h.json('WebhookDeliveryList') },
          ...h.problems([...h.callerProblems, 'webhook-endpoint-not-found', 'invalid-request']),
        },
      },
    },
    '/api/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend': {
      post: {
        ...base(
          'resendWebhookDelivery',
          'Resend a delivery',
          `Queues the delivery’s event again to its endpoint: a new delivery with the same \`webhook-id\` and body, after what is pending (a \`failed\` dead letter, say, once the receiver is fixed). No body is needed.${IDEMPOTENT}`,
        ),
        parameters: [ENDPOINT_PARAMETER, DELIVERY_PARAMETER, h.idempotencyKey],
        requestBody: { required: false, content: h.json('WebhookResendRequest') },
        responses: {
          ...created('202', 'The event is queued for delivery again', 'WebhookDeliveryQueued'),
          ...h.problems([...h.commandProblems, 'webhook-endpoint-not-found', 'webhook-delivery-not-found'], {
            replayable: true,
          }),
        },
      },
    },
    '/api/webhook-endpoints/{endpointId}/test': {
      post: {
        ...base(
          'sendWebhookTestEvent',
          'Send a test event',
          `Queues a \`webhook.test\` delivery to the endpoint, whatever types it subscribes to (its \`data\`: \`{schemaVersion, eventId, endpointId, at}\`); a disabled endpoint receives it once enabled. The answer names the delivery and its \`webhook-id\`. No body is needed.${IDEMPOTENT}`,
        ),
        parameters: [ENDPOINT_PARAMETER, h.idempotencyKey],
        requestBody: { required: false, content: h.json('WebhookTestRequest') },
        responses: {
          ...created('202', 'The test event is queued', 'WebhookDeliveryQueued', TEST_QUEUED),
          ...h.problems([...h.commandProblems, 'webhook-endpoint-not-found'], { replayable: true }),
        },
      },
    },
    '/api/webhook-endpoints/{endpointId}/replay': {
      post: {
        ...base(
          'replayWebhookEvents',
          'Replay events from a point in time',
          `Delivers again every event of the caller’s accounts from \`from\` on, in order, each with its own \`webhook-id\` (a receiver that remembers ids applies each once).${IDEMPOTENT}`,
        ),
        parameters: [ENDPOINT_PARAMETER, h.idempotencyKey],
        requestBody: { required: true, content: h.json('WebhookReplayRequest') },
        responses: {
          ...created('202', 'The events are queued for delivery', 'WebhookReplay'),
          ...h.problems([...h.commandProblems, 'webhook-endpoint-not-found'], { replayable: true }),
        },
      },
    },
    '/api/webhook-endpoints/{endpointId}/rotate-secret': {
      post: {
        ...base(
          'rotateWebhookSecret',
          'Rotate the signing secret',
          `A new signing secret, shown this once. For 24 hours deliveries carry two signatures (new and previous), so receivers can switch without losing any. No body is needed.${IDEMPOTENT}`,
        ),
        parameters: [ENDPOINT_PARAMETER, h.idempotencyKey],
        requestBody: { required: false, content: h.json('WebhookRotateRequest') },
        responses: {
          ...created('200', 'The new secret', 'WebhookSecret'),
          ...h.problems([...h.commandProblems, 'webhook-endpoint-not-found'], { replayable: true }),
        },
      },
    },
  };
}

/** The document's `webhooks`: what Idem sends to an endpoint. */
export function webhookDeliveries(json: (name: string) => Record<string, unknown>) {
  const header = (description: string, example: string) => ({
    in: 'header',
    required: true,
    schema: { type: 'string' },
    description,
    example,
  });
  return {
    event: {
      post: {
        operationId: 'receiveWebhookEvent',
        summary: 'An event of your accounts',
        description:
          'POSTed to each endpoint subscribed to its type, at least once, in order per account. Verify it with a Standard Webhooks library (docs/webhooks.md) and answer 2xx within 10 seconds; anything else is retried.',
        tags: ['webhooks'],
        security: [],
        parameters: [
          {
            name: 'webhook-id',
            ...header(
              'The event id: the same on every retry and replay.',
              'evt_account-0b6a1f8e-5a55-4d36-9a51-25c6e27f4b61_3',
            ),
          },
          {
            name: 'webhook-timestamp',
            ...header('Seconds since the epoch when this attempt was signed.', '1796549400'),
          },
          {
            name: 'webhook-signature',
            ...header(
              '`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated (two during a rotation).',
              'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
            ),
          },
        ],
        requestBody: { required: true, content: json('WebhookEvent') },
        responses: { '200': { description: 'Any 2xx acknowledges the event' } },
      },
    },
  };
}
