import 'server-only';
import {
  decide,
  evolve,
  initialState,
  standingOrderStreamId,
  type StandingOrder,
  type StandingOrderCommand,
  type StandingOrderEvent,
  type StandingOrderRejection,
} from '@/lib/standing-orders/domain/standing-order';
import { db as defaultDb, type Db } from '@/lib/db/prisma';
import {
  emptyStream,
  fingerprint,
  handleCommand,
  type CommandResult,
  type CommandSpec,
  type LoadedStream,
  type NewEvent,
  type RetryPolicy,
} from '@/lib/event-store';
import { projectStandingOrder, STANDING_ORDER_PROJECTIONS } from './inline-projections';

// A standing order's commands on the engine: one stream per order (`standingorder-<id>`), its own
// decider, its own inline projections. The engine is the accounts' engine, unchanged: it is handed
// a spec (the streams, the fingerprint, a pure decide and the rows to project), as for any command.

/** The order after this command, and for a cancellation the occurrence that was already running. */
export type StandingOrderResult = {
  order: Exclude<StandingOrder, { status: 'none' }>;
  version: number;
  runningWhenCancelled: { dueOn: string; attempt: 1 | 2 } | null;
};
export type StandingOrderCommandResult = CommandResult<StandingOrderResult, StandingOrderRejection>;

/** Stored events are in today's shape (schema version 1 for every type so far). */
const SCHEMA_VERSION = 1;

export function rehydrate(stream: LoadedStream): StandingOrder {
  return stream.events
    .map((e) => ({ type: e.type, data: e.data }) as StandingOrderEvent)
    .reduce(evolve, initialState());
}

/** What the caller asked for, normalized: server-made ids and the time are left out, so a retry has the same fingerprint. */
function requestOf(command: StandingOrderCommand): unknown {
  const { customerId } = command.metadata;
  switch (command.type) {
    case 'CreateStandingOrder': {
      const { fromAccountId, toAccountNumber, amountCents, every, firstPaymentOn } = command.data;
      return { customerId, fromAccountId, toAccountNumber, amountCents, every, firstPaymentOn };
    }
    case 'StartOccurrence':
    case 'RecordOccurrenceOutcome':
    case 'CancelStandingOrder':
      return { customerId, ...command.data };
  }
}

function toNewEvents(events: StandingOrderEvent[], commandId: string, commandType: string): NewEvent[] {
  return events.map((e) => ({
    type: e.type,
    data: e.data,
    metadata: {
      commandId,
      commandType,
      causationId: commandId,
      correlationId: commandId,
      schemaVersion: SCHEMA_VERSION,
    },
  }));
}

function standingOrderCommandSpec(
  command: StandingOrderCommand,
): CommandSpec<StandingOrderResult, StandingOrderRejection> {
  const { commandId, now } = command.metadata;
  const streamId = standingOrderStreamId(command.data.standingOrderId);
  // One stream, no snapshots (an order's stream stays short), its own projections.
  return {
    streamIds: [streamId],
    snapshotSchemaVersion: null,
    projections: STANDING_ORDER_PROJECTIONS,
    commandId,
    type: command.type,
    at: now,
    fingerprint: fingerprint(command.type, requestOf(command)),
    decide(streams) {
      const stream = streams.get(streamId) ?? emptyStream();
      const state = rehydrate(stream);
      const decision = decide(command, state);
      if (!decision.ok) return { status: 'rejected', rejection: decision.rejection };
      const after = decision.events.reduce(evolve, state);
      if (after.status === 'none') throw new Error(`${command.type} accepted but there is no standing order`);
      const cancelled = decision.events.find((e) => e.type === 'StandingOrderCancelled');
      return {
        status: 'accepted',
        result: {
          order: after,
          version: stream.version + decision.events.length,
          runningWhenCancelled: cancelled?.type === 'StandingOrderCancelled' ? cancelled.data.running : null,
        },
        work: {
          appends: [
            {
              streamId,
              expectedVersion: stream.version,
              events: toNewEvents(decision.events, commandId, command.type),
            },
          ],
          projections: projectStandingOrder(after, decision.events, stream.version + 1, now.toISOString()),
          snapshots: [],
        },
      };
    },
  };
}

export function handleStandingOrderCommand(
  command: StandingOrderCommand,
  options: { db?: Db; retry?: RetryPolicy } = {},
): Promise<StandingOrderCommandResult> {
  return handleCommand(options.db ?? defaultDb(), standingOrderCommandSpec(command), options.retry);
}
