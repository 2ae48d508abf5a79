import 'server-only';
import { z } from 'zod';
import type { ProblemType } from '@/lib/http/problem';
import { standingOrderBody } from '@/lib/standing-orders/http';

// The standing orders' part of the OpenAPI document (lib/http/openapi.ts hands in its helpers, so
// every operation is described the same way as the others).

const Day = z.iso.date().meta({ description: 'A calendar day (UTC), YYYY-MM-DD.' });
const Every = z.enum(['week', 'month', 'month-end']).meta({
  description:
    'Every 7 days, every month on the first payment’s day (or the month’s last day), or every month’s last day.',
});
const Status = z.enum(['active', 'cancelled']);
/** The document's own Money and AccountNumber schemas (lib/http/openapi.ts), so both describe them once. */
type Shared = { Money: z.ZodType; AccountNumber: z.ZodType };

const summaryOf = ({ Money, AccountNumber }: Shared) => ({
  id: z.uuid(),
  toAccountNumber: AccountNumber,
  amount: Money,
  every: Every,
  nextPaymentOn: Day.nullable().meta({
    description: 'The day of the next payment (or of its retry); null once cancelled.',
  }),
  status: Status,
});

export const standingOrderRequests = { StandingOrderRequest: standingOrderBody };

export function standingOrderResponses(shared: Shared) {
  const summary = summaryOf(shared);
  return {
    StandingOrder: z.strictObject(summary),
    CancelledStandingOrder: z.strictObject({
      ...summary,
      runningOccurrence: z.strictObject({ dueOn: Day }).nullable().meta({
        description: 'The payment that had already started when it was cancelled (it completes); null if none.',
      }),
    }),
    StandingOrderList: z.strictObject({
      standingOrders: z.array(
        z.strictObject({
          ...summary,
          firstPaymentOn: Day,
          occurrences: z.array(
            z.strictObject({
              dueOn: Day,
              status: z.enum(['paid', 'refused', 'pending']),
              commandId: z.string().optional().meta({ description: 'The command id of the transfer that paid it.' }),
              reason: z
                .enum(['insufficient-funds', 'account-closed', 'balance-limit', 'invalid-amount'])
                .optional()
                .meta({ description: 'Why it was refused (or why its first try was, while its retry is pending).' }),
            }),
          ),
        }),
      ),
    }),
  };
}

const ORDER_ID = '5d1c8a9e-3f2b-4c1d-9e8f-7a6b5c4d3e2f';
const order = {
  id: ORDER_ID,
  toAccountNumber: '100000000026',
  amount: '25.00',
  every: 'month',
  nextPaymentOn: '2027-01-31',
  status: 'active',
};
export const standingOrderRequestExamples = {
  StandingOrderRequest: {
    toAccountNumber: '100000000026',
    amount: '25.00',
    every: 'month',
    firstPaymentOn: '2027-01-31',
  },
};
export const standingOrderResponseExamples = {
  StandingOrder: order,
  CancelledStandingOrder: { ...order, nextPaymentOn: null, status: 'cancelled', runningOccurrence: null },
  StandingOrderList: {
    standingOrders: [
      {
        ...order,
        nextPaymentOn: '2027-02-28',
        firstPaymentOn: '2027-01-31',
        occurrences: [
          { dueOn: '2027-01-31', status: 'paid', commandId: `standing-order:${ORDER_ID}:2027-01-31` },
          { dueOn: '2027-02-28', status: 'pending' },
        ],
      },
    ],
  },
};

type Described = { operationId: string; summary: string; description: string };
export type Helpers = {
  read: (about: Described, success: Record<string, unknown>, types: ProblemType[], parameters?: unknown[]) => unknown;
  command: (
    about: Described,
    body: 'StandingOrderRequest',
    created: ['StandingOrder', string],
    types: ProblemType[],
    path?: unknown[],
  ) => unknown;
  json: (name: 'StandingOrderList' | 'CancelledStandingOrder') => unknown;
  problems: (types: ProblemType[], options?: { replayable?: boolean }) => Record<string, unknown>;
  callerProblems: ProblemType[];
  security: unknown;
  accountId: unknown;
};

export function standingOrderPaths(h: Helpers) {
  const standingOrderId = {
    name: 'standingOrderId',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The standing order id (a UUID).',
    example: ORDER_ID,
  };
  return {
    '/api/accounts/{accountId}/standing-orders': {
      get: h.read(
        {
          operationId: 'listStandingOrders',
          summary: "An account's standing orders",
          description:
            'The standing orders paying from one of the caller’s accounts, newest first, each with its latest occurrences (paid with the transfer’s command id, refused with the reason, pending).',
        },
        { '200': { description: 'The standing orders', content: h.json('StandingOrderList') } },
        ['account-not-found'],
        [h.accountId],
      ),
      post: h.command(
        {
          operationId: 'createStandingOrder',
          summary: 'Create a standing order',
          description:
            'Pays `amount` from this account to the account with `toAccountNumber` every week, month or month end, from `firstPaymentOn` on. A payment on a day a month does not have is paid on its last day; a refused payment is retried once the next day.',
        },
        'StandingOrderRequest',
        ['StandingOrder', 'The standing order was created'],
        ['account-not-found', 'same-account'],
        [h.accountId],
      ),
    },
    '/api/standing-orders/{standingOrderId}': {
      delete: {
        operationId: 'cancelStandingOrder',
        summary: 'Cancel a standing order',
        description:
          'Stops every payment that has not started; the answer names the one already running, if any (it completes). Cancelling again answers the same. Needs no Idempotency-Key: each order is cancelled once.',
        tags: ['commands'],
        security: h.security,
        parameters: [standingOrderId],
        responses: {
          '200': {
            description: 'The standing order is cancelled',
            headers: {
              'Idempotent-Replayed': {
                description: 'Present (`true`) when it was already cancelled by this caller: the original answer.',
                schema: { type: 'string', enum: ['true'] },
              },
            },
            content: h.json('CancelledStandingOrder'),
          },
          ...h.problems(
            [
              ...h.callerProblems,
              'cross-site-request',
              'forbidden',
              'standing-order-not-found',
              'standing-order-cancelled',
              'concurrent-request',
            ],
            { replayable: true },
          ),
        },
      },
    },
  };
}
