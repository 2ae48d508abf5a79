// The standing order aggregate as a decider: three pure functions over plain data. A standing
// order pays one account's money to another account on a schedule. Each payment (an occurrence)
// goes through three steps on this stream: it is started (from then on cancelling no longer stops
// it), its transfer runs on the account streams, and its outcome is recorded. A refused payment
// is retried once, the next day, then recorded refused. Time, ids and the acting customer arrive
// on the command; the scheduler that issues most of these commands is the caller's business.
import { amountProblem } from '@/lib/accounts/domain/account';
import type { Cents } from '@/lib/domain/money';
import { addDays, dayOf, dueDay, isDay, type Day, type Every, EVERY } from './schedule';

type CommandMetadata = { commandId: string; now: Date; customerId: string };

/** Why a payment was refused, as the account side said it. */
export type RefusalReason = 'insufficient-funds' | 'account-closed' | 'balance-limit' | 'invalid-amount';

export type CreateStandingOrder = {
  type: 'CreateStandingOrder';
  data: {
    standingOrderId: string;
    fromAccountId: string;
    toAccountId: string;
    toAccountNumber: string;
    amountCents: Cents;
    every: Every;
    firstPaymentOn: Day;
  };
  metadata: CommandMetadata;
};
type StartOccurrence = {
  type: 'StartOccurrence';
  data: { standingOrderId: string; dueOn: Day; attempt: 1 | 2; transferCommandId: string };
  metadata: CommandMetadata;
};
type RecordOccurrenceOutcome = {
  type: 'RecordOccurrenceOutcome';
  data: { standingOrderId: string; dueOn: Day; attempt: 1 | 2 } & (
    { outcome: 'paid'; transferCommandId: string } | { outcome: 'refused'; reason: RefusalReason }
  );
  metadata: CommandMetadata;
};
type CancelStandingOrder = {
  type: 'CancelStandingOrder';
  data: { standingOrderId: string };
  metadata: CommandMetadata;
};
export type StandingOrderCommand =
  CreateStandingOrder | StartOccurrence | RecordOccurrenceOutcome | CancelStandingOrder;

type StandingOrderCreated = {
  type: 'StandingOrderCreated';
  data: CreateStandingOrder['data'] & { customerId: string; createdAt: string };
};
/** The occurrence is running: its transfer may be executing now; cancelling no longer stops it. */
type OccurrenceStarted = {
  type: 'OccurrenceStarted';
  data: { standingOrderId: string; dueOn: Day; attempt: 1 | 2; transferCommandId: string; startedAt: string };
};
type OccurrencePaid = {
  type: 'OccurrencePaid';
  data: { standingOrderId: string; dueOn: Day; attempt: 1 | 2; transferCommandId: string; paidAt: string };
};
type OccurrenceRetryScheduled = {
  type: 'OccurrenceRetryScheduled';
  data: { standingOrderId: string; dueOn: Day; reason: RefusalReason; retryOn: Day; at: string };
};
type OccurrenceRefused = {
  type: 'OccurrenceRefused';
  data: { standingOrderId: string; dueOn: Day; attempt: 1 | 2; reason: RefusalReason; refusedAt: string };
};
type StandingOrderCancelled = {
  type: 'StandingOrderCancelled';
  /** `running`: the occurrence that had started and still completes (null: none was). */
  data: { standingOrderId: string; cancelledAt: string; running: { dueOn: Day; attempt: 1 | 2 } | null };
};
export type StandingOrderEvent =
  | StandingOrderCreated
  | OccurrenceStarted
  | OccurrencePaid
  | OccurrenceRetryScheduled
  | OccurrenceRefused
  | StandingOrderCancelled;

/** The next payment to make: occurrence `index`, due on `dueOn`, attempt 1 on the due day or 2 the day after. */
type NextPayment = { index: number; dueOn: Day; attempt: 1 | 2; attemptOn: Day };
type Running = { index: number; dueOn: Day; attempt: 1 | 2; transferCommandId: string };

export type StandingOrder =
  | { status: 'none' }
  | {
      status: 'active' | 'cancelled';
      standingOrderId: string;
      customerId: string;
      fromAccountId: string;
      toAccountId: string;
      toAccountNumber: string;
      amountCents: Cents;
      every: Every;
      firstPaymentOn: Day;
      createdAt: string;
      /** Null once cancelled. */
      next: NextPayment | null;
      running: Running | null;
      lastOutcome: { dueOn: Day; outcome: 'paid' | 'refused' | 'retry-scheduled' } | null;
    };

export type StandingOrderRejection =
  | { code: 'StandingOrderNotFound'; standingOrderId: string }
  | { code: 'StandingOrderAlreadyExists'; standingOrderId: string }
  | { code: 'InvalidStandingOrder'; field: 'every' | 'firstPaymentOn' | 'amount' | 'toAccount'; reason: string }
  | { code: 'StandingOrderCancelled'; standingOrderId: string }
  /** The scheduler asked for an occurrence that is not the next one, or not yet due: nothing to do. */
  | { code: 'OccurrenceNotDue'; standingOrderId: string; dueOn: Day; attempt: 1 | 2 }
  | { code: 'OccurrenceNotRunning'; standingOrderId: string; dueOn: Day; attempt: 1 | 2 };

export type Decision = { ok: true; events: StandingOrderEvent[] } | { ok: false; rejection: StandingOrderRejection };

export const standingOrderStreamId = (standingOrderId: string) => `standingorder-${standingOrderId}`;

export const initialState = (): StandingOrder => ({ status: 'none' });

const nextAfter = (every: Every, firstPaymentOn: Day, index: number): NextPayment => {
  const dueOn = dueDay(every, firstPaymentOn, index);
  return { index, dueOn, attempt: 1, attemptOn: dueOn };
};

export function evolve(state: StandingOrder, event: StandingOrderEvent): StandingOrder {
  if (event.type === 'StandingOrderCreated') {
    const { customerId, createdAt, ...data } = event.data;
    return {
      status: 'active',
      ...data,
      customerId,
      createdAt,
      next: nextAfter(data.every, data.firstPaymentOn, 0),
      running: null,
      lastOutcome: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'OccurrenceStarted': {
      const index = state.next?.index ?? state.running?.index ?? 0;
      const { dueOn, attempt, transferCommandId } = event.data;
      return { ...state, running: { index, dueOn, attempt, transferCommandId } };
    }
    case 'OccurrencePaid':
    case 'OccurrenceRefused': {
      const index = state.running?.index ?? 0;
      const outcome = event.type === 'OccurrencePaid' ? 'paid' : 'refused';
      return {
        ...state,
        running: null,
        next: state.status === 'active' ? nextAfter(state.every, state.firstPaymentOn, index + 1) : null,
        lastOutcome: { dueOn: event.data.dueOn, outcome },
      };
    }
    case 'OccurrenceRetryScheduled': {
      const index = state.running?.index ?? 0;
      const { dueOn, retryOn } = event.data;
      return {
        ...state,
        running: null,
        next: state.status === 'active' ? { index, dueOn, attempt: 2, attemptOn: retryOn } : null,
        lastOutcome: { dueOn, outcome: 'retry-scheduled' },
      };
    }
    case 'StandingOrderCancelled':
      return { ...state, status: 'cancelled', next: null };
    default:
      return assertNever(event);
  }
}

export function decide(command: StandingOrderCommand, state: StandingOrder): Decision {
  switch (command.type) {
    case 'CreateStandingOrder':
      return create(command, state);
    case 'StartOccurrence':
      return start(command, state);
    case 'RecordOccurrenceOutcome':
      return recordOutcome(command, state);
    case 'CancelStandingOrder':
      return cancel(command, state);
    default:
      return assertNever(command);
  }
}

const reject = (rejection: StandingOrderRejection): Decision => ({ ok: false, rejection });
const accept = (...events: StandingOrderEvent[]): Decision => ({ ok: true, events });

function create({ data, metadata }: CreateStandingOrder, state: StandingOrder): Decision {
  if (state.status !== 'none')
    return reject({ code: 'StandingOrderAlreadyExists', standingOrderId: data.standingOrderId });
  const invalid = (field: 'every' | 'firstPaymentOn' | 'amount' | 'toAccount', reason: string) =>
    reject({ code: 'InvalidStandingOrder', field, reason });
  if (!EVERY.includes(data.every)) return invalid('every', 'Every must be week, month or month-end');
  if (!isDay(data.firstPaymentOn)) return invalid('firstPaymentOn', 'First payment on must be a date (YYYY-MM-DD)');
  const today = dayOf(metadata.now.toISOString());
  if (data.firstPaymentOn < today) return invalid('firstPaymentOn', 'First payment on cannot be in the past');
  if (data.firstPaymentOn > addDays(today, 366))
    return invalid('firstPaymentOn', 'First payment on must be within a year');
  const problem = amountProblem(data.amountCents, false);
  if (problem && problem.code === 'InvalidAmount') return invalid('amount', problem.reason);
  if (data.fromAccountId === data.toAccountId) return invalid('toAccount', 'Pay to another account than this one');
  return accept({
    type: 'StandingOrderCreated',
    data: { ...data, customerId: metadata.customerId, createdAt: metadata.now.toISOString() },
  });
}

/** The owner's order, or the rejection that it is not there: someone else's order is, to them, not there. */
function owned(state: StandingOrder, standingOrderId: string, customerId: string) {
  if (state.status === 'none' || state.customerId !== customerId)
    return { rejection: { code: 'StandingOrderNotFound', standingOrderId } as const };
  return { order: state };
}

function start({ data, metadata }: StartOccurrence, state: StandingOrder): Decision {
  const found = owned(state, data.standingOrderId, metadata.customerId);
  if (!found.order) return reject(found.rejection);
  const order = found.order;
  if (order.status === 'cancelled')
    return reject({ code: 'StandingOrderCancelled', standingOrderId: data.standingOrderId });
  const next = order.next;
  const today = dayOf(metadata.now.toISOString());
  if (order.running || !next || next.dueOn !== data.dueOn || next.attempt !== data.attempt || next.attemptOn > today)
    return reject({
      code: 'OccurrenceNotDue',
      standingOrderId: data.standingOrderId,
      dueOn: data.dueOn,
      attempt: data.attempt,
    });
  return accept({
    type: 'OccurrenceStarted',
    data: { ...data, startedAt: metadata.now.toISOString() },
  });
}

function recordOutcome({ data, metadata }: RecordOccurrenceOutcome, state: StandingOrder): Decision {
  const found = owned(state, data.standingOrderId, metadata.customerId);
  if (!found.order) return reject(found.rejection);
  const running = found.order.running;
  const { standingOrderId, dueOn, attempt } = data;
  if (!running || running.dueOn !== dueOn || running.attempt !== attempt)
    return reject({ code: 'OccurrenceNotRunning', standingOrderId, dueOn, attempt });
  const at = metadata.now.toISOString();
  if (data.outcome === 'paid')
    return accept({
      type: 'OccurrencePaid',
      data: { standingOrderId, dueOn, attempt, transferCommandId: data.transferCommandId, paidAt: at },
    });
  // A first refusal is tried again the next day, unless the order was cancelled meanwhile.
  if (attempt === 1 && found.order.status === 'active')
    return accept({
      type: 'OccurrenceRetryScheduled',
      data: { standingOrderId, dueOn, reason: data.reason, retryOn: addDays(dueOn, 1), at },
    });
  return accept({
    type: 'OccurrenceRefused',
    data: { standingOrderId, dueOn, attempt, reason: data.reason, refusedAt: at },
  });
}

function cancel({ data, metadata }: CancelStandingOrder, state: StandingOrder): Decision {
  const found = owned(state, data.standingOrderId, metadata.customerId);
  if (!found.order) return reject(found.rejection);
  if (found.order.status === 'cancelled')
    return reject({ code: 'StandingOrderCancelled', standingOrderId: data.standingOrderId });
  const running = found.order.running;
  return accept({
    type: 'StandingOrderCancelled',
    data: {
      standingOrderId: data.standingOrderId,
      cancelledAt: metadata.now.toISOString(),
      running: running ? { dueOn: running.dueOn, attempt: running.attempt } : null,
    },
  });
}

function assertNever(value: never): never {
  throw new Error(`Unexpected ${JSON.stringify(value)}`);
}
