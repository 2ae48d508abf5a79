import 'server-only';
import { z } from 'zod';
import { commandResponse, transferBody } from '@/lib/http/account-api';
import { formatDecimal } from '@/lib/domain/money';
import { problem, type Problem } from '@/lib/http/problem';
import { EVERY, isDay } from '@/lib/standing-orders/domain/schedule';
import type { StandingOrderRejection } from '@/lib/standing-orders/domain/standing-order';
import type { StandingOrderCommandResult, StandingOrderResult } from './commands';
import type { StandingOrderView } from './queries';

// The standing orders' JSON: request bodies, answers and problems. Amounts are decimal strings, as
// everywhere in the API; days are 'YYYY-MM-DD'.

export const standingOrderBody = transferBody
  .omit({ from: true })
  .extend({
    every: z.enum(EVERY, { error: 'must be "week", "month" or "month-end"' }),
    firstPaymentOn: z
      .string({ error: 'must be a date string, YYYY-MM-DD' })
      .refine(isDay, 'must be a real date, YYYY-MM-DD')
      .meta({ format: 'date', examples: ['2027-01-31'] }),
  })
  .strict();

export const createdBody = ({ order }: StandingOrderResult) => ({
  id: order.standingOrderId,
  toAccountNumber: order.toAccountNumber,
  amount: formatDecimal(order.amountCents),
  every: order.every,
  nextPaymentOn: order.next?.attemptOn ?? null,
  status: order.status,
});

export const cancelledBody = ({ order, runningWhenCancelled }: StandingOrderResult) => ({
  ...createdBody({ order, runningWhenCancelled, version: 0 }),
  runningOccurrence: runningWhenCancelled ? { dueOn: runningWhenCancelled.dueOn } : null,
});

export const listBody = (orders: StandingOrderView[]) => ({
  standingOrders: orders.map((o) => ({
    id: o.id,
    toAccountNumber: o.toAccountNumber,
    amount: formatDecimal(o.amountCents),
    every: o.every,
    firstPaymentOn: o.firstPaymentOn,
    nextPaymentOn: o.nextPaymentOn,
    status: o.status,
    occurrences: o.occurrences.map((x) => ({
      dueOn: x.dueOn,
      status: x.status,
      ...(x.commandId ? { commandId: x.commandId } : {}),
      ...(x.reason ? { reason: x.reason } : {}),
    })),
  })),
});

function standingOrderProblem(rejection: StandingOrderRejection): Problem {
  switch (rejection.code) {
    case 'StandingOrderNotFound':
    case 'OccurrenceNotDue':
    case 'OccurrenceNotRunning':
      return problem('standing-order-not-found', `There is no standing order ${rejection.standingOrderId}.`);
    case 'StandingOrderCancelled':
      return problem('standing-order-cancelled', `Standing order ${rejection.standingOrderId} is already cancelled.`);
    case 'StandingOrderAlreadyExists':
      return problem('concurrent-request', 'Retry with the same Idempotency-Key; it will be applied at most once.');
    case 'InvalidStandingOrder':
      if (rejection.field === 'toAccount') return problem('same-account', rejection.reason);
      return problem('validation-failed', `${rejection.field}: ${rejection.reason}`, {
        errors: [{ pointer: `/${rejection.field}`, detail: rejection.reason }],
      });
  }
}

/** A standing-order command's outcome as HTTP: only the stored outcome is read, so a replay answers the same. */
export const standingOrderResponse = (
  outcome: StandingOrderCommandResult,
  status: 200 | 201,
  body: (result: StandingOrderResult) => unknown,
): Response => commandResponse(outcome, body, '', standingOrderProblem, status);
