// The standing orders' inline read models, computed from the order's state and the events of one
// commit. The engine writes them in the same statement as the events; the scheduler finds due
// payments in `standing_orders`, the pages and the API read both tables.
import type { StandingOrder, StandingOrderEvent } from '@/lib/standing-orders/domain/standing-order';
import { defineInlineProjection, type ProjectionWrite } from '@/lib/event-store';

/** One row per standing order, written whole from its state, never moved backwards. */
const standingOrdersTable = defineInlineProjection({
  table: 'standing_orders',
  columns: {
    standing_order_id: 'uuid',
    customer_id: 'text',
    from_account_id: 'uuid',
    to_account_id: 'uuid',
    to_account_number: 'text',
    amount_cents: 'bigint',
    every: 'text',
    first_payment_on: 'date',
    status: 'text',
    next_due_on: 'date',
    next_attempt: 'int',
    next_attempt_on: 'date',
    running_due_on: 'date',
    running_attempt: 'int',
    running_command_id: 'text',
    last_due_on: 'date',
    last_outcome: 'text',
    version: 'int',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  key: ['standing_order_id'],
  onConflict: {
    update: `status = EXCLUDED.status, next_due_on = EXCLUDED.next_due_on, next_attempt = EXCLUDED.next_attempt,
             next_attempt_on = EXCLUDED.next_attempt_on, running_due_on = EXCLUDED.running_due_on,
             running_attempt = EXCLUDED.running_attempt, running_command_id = EXCLUDED.running_command_id,
             last_due_on = EXCLUDED.last_due_on, last_outcome = EXCLUDED.last_outcome, version = EXCLUDED.version,
             updated_at = EXCLUDED.updated_at
             WHERE standing_orders.version < EXCLUDED.version`,
  },
});

/** One row per occurrence that has started: pending while it runs or waits for its retry, then paid or refused. */
const occurrencesTable = defineInlineProjection({
  table: 'standing_order_occurrences',
  columns: {
    standing_order_id: 'uuid',
    due_on: 'date',
    status: 'text',
    attempts: 'int',
    transfer_command_id: 'text',
    reason: 'text',
    retry_on: 'date',
    version: 'int',
    updated_at: 'timestamptz',
  },
  key: ['standing_order_id', 'due_on'],
  onConflict: {
    update: `status = EXCLUDED.status, attempts = EXCLUDED.attempts, transfer_command_id = EXCLUDED.transfer_command_id,
             reason = EXCLUDED.reason, retry_on = EXCLUDED.retry_on, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
             WHERE standing_order_occurrences.version < EXCLUDED.version`,
  },
});

export const STANDING_ORDER_PROJECTIONS = [standingOrdersTable, occurrencesTable] as const;

type Row = Record<string, string | number | null>;

function occurrenceRow(event: StandingOrderEvent, version: number, at: string): Row | null {
  const base = { standing_order_id: event.data.standingOrderId, version, updated_at: at };
  switch (event.type) {
    case 'OccurrenceStarted':
      return {
        ...base,
        due_on: event.data.dueOn,
        status: 'pending',
        attempts: event.data.attempt,
        transfer_command_id: null,
        reason: null,
        retry_on: null,
      };
    case 'OccurrenceRetryScheduled':
      return {
        ...base,
        due_on: event.data.dueOn,
        status: 'pending',
        attempts: 1,
        transfer_command_id: null,
        reason: event.data.reason,
        retry_on: event.data.retryOn,
      };
    case 'OccurrencePaid':
      return {
        ...base,
        due_on: event.data.dueOn,
        status: 'paid',
        attempts: event.data.attempt,
        transfer_command_id: event.data.transferCommandId,
        reason: null,
        retry_on: null,
      };
    case 'OccurrenceRefused':
      return {
        ...base,
        due_on: event.data.dueOn,
        status: 'refused',
        attempts: event.data.attempt,
        transfer_command_id: null,
        reason: event.data.reason,
        retry_on: null,
      };
    case 'StandingOrderCreated':
    case 'StandingOrderCancelled':
      return null;
  }
}

/**
 * `stateAfter` is the order after all of `events`; `firstVersion` the stream version of the first
 * of them. The order's row is written whole from the state; each occurrence row from its event.
 */
export function projectStandingOrder(
  stateAfter: StandingOrder,
  events: StandingOrderEvent[],
  firstVersion: number,
  at: string,
): ProjectionWrite[] {
  if (stateAfter.status === 'none' || events.length === 0) return [];
  const version = firstVersion + events.length - 1;
  const byDay = new Map<string, Row>();
  events.forEach((event, i) => {
    const row = occurrenceRow(event, firstVersion + i, at);
    if (row) byDay.set(String(row.due_on), row);
  });
  const s = stateAfter;
  return [
    {
      projection: standingOrdersTable,
      rows: [
        {
          standing_order_id: s.standingOrderId,
          customer_id: s.customerId,
          from_account_id: s.fromAccountId,
          to_account_id: s.toAccountId,
          to_account_number: s.toAccountNumber,
          amount_cents: s.amountCents,
          every: s.every,
          first_payment_on: s.firstPaymentOn,
          status: s.status,
          next_due_on: s.next?.dueOn ?? null,
          next_attempt: s.next?.attempt ?? null,
          next_attempt_on: s.next?.attemptOn ?? null,
          running_due_on: s.running?.dueOn ?? null,
          running_attempt: s.running?.attempt ?? null,
          running_command_id: s.running?.transferCommandId ?? null,
          last_due_on: s.lastOutcome?.dueOn ?? null,
          last_outcome: s.lastOutcome?.outcome ?? null,
          version,
          created_at: s.createdAt,
          updated_at: at,
        },
      ],
    },
    { projection: occurrencesTable, rows: [...byDay.values()] },
  ];
}
