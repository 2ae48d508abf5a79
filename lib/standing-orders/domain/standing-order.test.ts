import { describe, it } from 'vitest';
import { DeciderSpecification } from '@/lib/testing/decider-spec';
import {
  decide,
  evolve,
  initialState,
  type CreateStandingOrder,
  type StandingOrderCommand,
  type StandingOrderEvent,
} from './standing-order';

const spec = DeciderSpecification.for({ decide, evolve, initialState });

const ID = 'c0ffee00-0000-4000-8000-000000000001';
const OWNER = 'customer-1';
const at = (iso: string) => ({ commandId: `cmd-${iso}`, now: new Date(iso), customerId: OWNER });

const createData: CreateStandingOrder['data'] = {
  standingOrderId: ID,
  fromAccountId: 'a0000000-0000-4000-8000-000000000001',
  toAccountId: 'b0000000-0000-4000-8000-000000000002',
  toAccountNumber: '100000000017',
  amountCents: 2500,
  every: 'month',
  firstPaymentOn: '2027-01-31',
};
const created = (data: Partial<CreateStandingOrder['data']> = {}): StandingOrderEvent => ({
  type: 'StandingOrderCreated',
  data: { ...createData, ...data, customerId: OWNER, createdAt: '2027-01-10T09:00:00.000Z' },
});
const started = (dueOn: string, attempt: 1 | 2 = 1): StandingOrderEvent => ({
  type: 'OccurrenceStarted',
  data: {
    standingOrderId: ID,
    dueOn,
    attempt,
    transferCommandId: `t-${dueOn}-${attempt}`,
    startedAt: `${dueOn}T00:00:10.000Z`,
  },
});
const paid = (dueOn: string, attempt: 1 | 2 = 1): StandingOrderEvent => ({
  type: 'OccurrencePaid',
  data: {
    standingOrderId: ID,
    dueOn,
    attempt,
    transferCommandId: `t-${dueOn}-${attempt}`,
    paidAt: `${dueOn}T00:00:11.000Z`,
  },
});
/** The first attempt of 31 January was refused: retried on 1 February. */
const retryScheduled: StandingOrderEvent = {
  type: 'OccurrenceRetryScheduled',
  data: {
    standingOrderId: ID,
    dueOn: '2027-01-31',
    reason: 'insufficient-funds',
    retryOn: '2027-02-01',
    at: '2027-01-31T00:00:12.000Z',
  },
};
const startCmd = (dueOn: string, attempt: 1 | 2, now: string): StandingOrderCommand => ({
  type: 'StartOccurrence',
  data: { standingOrderId: ID, dueOn, attempt, transferCommandId: `t-${dueOn}-${attempt}` },
  metadata: at(now),
});

describe('creating a standing order', () => {
  it('given nothing, when created, then it is created by the acting customer', () =>
    spec
      .given([])
      .when({ type: 'CreateStandingOrder', data: createData, metadata: at('2027-01-10T09:00:00.000Z') })
      .then({ ok: true, events: [created()] }));

  it('refuses a first payment in the past, a date that does not exist, a zero amount and its own account', () => {
    const when = (data: Partial<CreateStandingOrder['data']>) =>
      spec.given([]).when({
        type: 'CreateStandingOrder',
        data: { ...createData, ...data },
        metadata: at('2027-01-10T09:00:00.000Z'),
      });
    when({ firstPaymentOn: '2027-01-09' }).thenMatches({ ok: false, rejection: { field: 'firstPaymentOn' } });
    when({ firstPaymentOn: '2027-02-30' }).thenMatches({ ok: false, rejection: { field: 'firstPaymentOn' } });
    when({ amountCents: 0 }).thenMatches({ ok: false, rejection: { field: 'amount' } });
    when({ toAccountId: createData.fromAccountId }).thenMatches({ ok: false, rejection: { field: 'toAccount' } });
    when({ every: 'day' as never }).thenMatches({ ok: false, rejection: { field: 'every' } });
  });

  it('refuses to create it twice', () =>
    spec
      .given([created()])
      .when({ type: 'CreateStandingOrder', data: createData, metadata: at('2027-01-10T09:00:00.000Z') })
      .then({ ok: false, rejection: { code: 'StandingOrderAlreadyExists', standingOrderId: ID } }));
});

describe('occurrences', () => {
  it('starts the first occurrence on its due day, not the day before', () => {
    spec
      .given([created()])
      .when(startCmd('2027-01-31', 1, '2027-01-30T23:59:59.000Z'))
      .thenMatches({
        ok: false,
        rejection: { code: 'OccurrenceNotDue' },
      });
    spec
      .given([created()])
      .when(startCmd('2027-01-31', 1, '2027-01-31T00:00:00.000Z'))
      .then({
        ok: true,
        events: [
          {
            type: 'OccurrenceStarted',
            data: {
              standingOrderId: ID,
              dueOn: '2027-01-31',
              attempt: 1,
              transferCommandId: 't-2027-01-31-1',
              startedAt: '2027-01-31T00:00:00.000Z',
            },
          },
        ],
      });
  });

  it('after the 31 January payment, the next is due on 28 February, then 31 March', () => {
    spec
      .given([created(), started('2027-01-31'), paid('2027-01-31')])
      .when(startCmd('2027-02-28', 1, '2027-02-28T08:00:00.000Z'))
      .thenMatches({ ok: true });
    spec
      .given([created(), started('2027-01-31'), paid('2027-01-31'), started('2027-02-28'), paid('2027-02-28')])
      .when(startCmd('2027-03-31', 1, '2027-03-31T08:00:00.000Z'))
      .thenMatches({ ok: true });
  });

  it('in a leap year, a month-end order pays on 29 February', () =>
    spec
      .given([created({ every: 'month-end', firstPaymentOn: '2028-01-15' }), started('2028-01-31'), paid('2028-01-31')])
      .when(startCmd('2028-02-29', 1, '2028-02-29T00:00:05.000Z'))
      .thenMatches({ ok: true, events: [{ type: 'OccurrenceStarted', data: { dueOn: '2028-02-29' } }] }));

  it('does not start an occurrence twice, nor one that is not the next', () => {
    spec
      .given([created(), started('2027-01-31')])
      .when(startCmd('2027-01-31', 1, '2027-01-31T10:00:00.000Z'))
      .thenMatches({
        ok: false,
        rejection: { code: 'OccurrenceNotDue' },
      });
    spec
      .given([created()])
      .when(startCmd('2027-02-28', 1, '2027-03-01T10:00:00.000Z'))
      .thenMatches({
        ok: false,
        rejection: { code: 'OccurrenceNotDue' },
      });
  });

  it('records a payment once: a second outcome for the same occurrence is refused', () => {
    const outcome: StandingOrderCommand = {
      type: 'RecordOccurrenceOutcome',
      data: {
        standingOrderId: ID,
        dueOn: '2027-01-31',
        attempt: 1,
        outcome: 'paid',
        transferCommandId: 't-2027-01-31-1',
      },
      metadata: at('2027-01-31T00:00:11.000Z'),
    };
    spec
      .given([created(), started('2027-01-31')])
      .when(outcome)
      .then({ ok: true, events: [paid('2027-01-31')] });
    spec
      .given([created(), started('2027-01-31'), paid('2027-01-31')])
      .when(outcome)
      .thenMatches({
        ok: false,
        rejection: { code: 'OccurrenceNotRunning' },
      });
  });
});

describe('refusals', () => {
  const refuse = (attempt: 1 | 2, now: string): StandingOrderCommand => ({
    type: 'RecordOccurrenceOutcome',
    data: { standingOrderId: ID, dueOn: '2027-01-31', attempt, outcome: 'refused', reason: 'insufficient-funds' },
    metadata: at(now),
  });

  it('a first refusal is retried the next day (1 February for 31 January)', () => {
    spec
      .given([created(), started('2027-01-31')])
      .when(refuse(1, '2027-01-31T00:00:12.000Z'))
      .then({
        ok: true,
        events: [retryScheduled],
      });
    spec
      .given([created(), started('2027-01-31'), retryScheduled])
      .when(startCmd('2027-01-31', 2, '2027-01-31T23:00:00.000Z'))
      .thenMatches({
        ok: false,
        rejection: { code: 'OccurrenceNotDue' },
      });
    spec
      .given([created(), started('2027-01-31'), retryScheduled])
      .when(startCmd('2027-01-31', 2, '2027-02-01T00:00:01.000Z'))
      .thenMatches({
        ok: true,
      });
  });

  it('a second refusal is recorded refused, and the next occurrence is the following month', () => {
    const history = [created(), started('2027-01-31'), retryScheduled, started('2027-01-31', 2)];
    spec
      .given(history)
      .when(refuse(2, '2027-02-01T00:00:12.000Z'))
      .then({
        ok: true,
        events: [
          {
            type: 'OccurrenceRefused',
            data: {
              standingOrderId: ID,
              dueOn: '2027-01-31',
              attempt: 2,
              reason: 'insufficient-funds',
              refusedAt: '2027-02-01T00:00:12.000Z',
            },
          },
        ],
      });
    const refused: StandingOrderEvent = {
      type: 'OccurrenceRefused',
      data: {
        standingOrderId: ID,
        dueOn: '2027-01-31',
        attempt: 2,
        reason: 'insufficient-funds',
        refusedAt: '2027-02-01T00:00:12.000Z',
      },
    };
    spec
      .given([...history, refused])
      .when(startCmd('2027-02-28', 1, '2027-02-28T00:00:01.000Z'))
      .thenMatches({ ok: true });
  });
});

describe('cancelling', () => {
  const cancelCmd = (customerId = OWNER): StandingOrderCommand => ({
    type: 'CancelStandingOrder',
    data: { standingOrderId: ID },
    metadata: { ...at('2027-02-10T12:00:00.000Z'), customerId },
  });

  it('with nothing running, says so, and no occurrence starts after it', () => {
    spec
      .given([created(), started('2027-01-31'), paid('2027-01-31')])
      .when(cancelCmd())
      .then({
        ok: true,
        events: [
          {
            type: 'StandingOrderCancelled',
            data: { standingOrderId: ID, cancelledAt: '2027-02-10T12:00:00.000Z', running: null },
          },
        ],
      });
    const cancelled: StandingOrderEvent = {
      type: 'StandingOrderCancelled',
      data: { standingOrderId: ID, cancelledAt: '2027-02-10T12:00:00.000Z', running: null },
    };
    spec
      .given([created(), started('2027-01-31'), paid('2027-01-31'), cancelled])
      .when(startCmd('2027-02-28', 1, '2027-02-28T00:00:01.000Z'))
      .then({
        ok: false,
        rejection: { code: 'StandingOrderCancelled', standingOrderId: ID },
      });
  });

  it('while an occurrence runs, names it; that one still completes, and no retryScheduled follows a refusal', () => {
    spec
      .given([created(), started('2027-01-31')])
      .when(cancelCmd())
      .thenMatches({
        ok: true,
        events: [{ type: 'StandingOrderCancelled', data: { running: { dueOn: '2027-01-31', attempt: 1 } } }],
      });
    const cancelled: StandingOrderEvent = {
      type: 'StandingOrderCancelled',
      data: {
        standingOrderId: ID,
        cancelledAt: '2027-02-10T12:00:00.000Z',
        running: { dueOn: '2027-01-31', attempt: 1 },
      },
    };
    spec
      .given([created(), started('2027-01-31'), cancelled])
      .when({
        type: 'RecordOccurrenceOutcome',
        data: {
          standingOrderId: ID,
          dueOn: '2027-01-31',
          attempt: 1,
          outcome: 'refused',
          reason: 'insufficient-funds',
        },
        metadata: at('2027-02-10T12:00:01.000Z'),
      })
      .thenMatches({ ok: true, events: [{ type: 'OccurrenceRefused' }] });
  });

  it('a retryScheduled not yet started is stopped', () => {
    spec
      .given([created(), started('2027-01-31'), retryScheduled])
      .when(cancelCmd())
      .thenMatches({
        ok: true,
        events: [{ type: 'StandingOrderCancelled', data: { running: null } }],
      });
  });

  it('someone else’s order is not there for them; a cancelled one cannot be cancelled again', () => {
    spec
      .given([created()])
      .when(cancelCmd('customer-2'))
      .then({
        ok: false,
        rejection: { code: 'StandingOrderNotFound', standingOrderId: ID },
      });
    spec
      .given([])
      .when(cancelCmd())
      .then({ ok: false, rejection: { code: 'StandingOrderNotFound', standingOrderId: ID } });
    spec
      .given([
        created(),
        {
          type: 'StandingOrderCancelled',
          data: { standingOrderId: ID, cancelledAt: '2027-02-10T12:00:00.000Z', running: null },
        },
      ])
      .when(cancelCmd())
      .then({ ok: false, rejection: { code: 'StandingOrderCancelled', standingOrderId: ID } });
  });
});
