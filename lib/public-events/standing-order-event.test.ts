import { describe, expect, it } from 'vitest';
import { maskName } from '@/lib/domain/mask-name';
import type { AccountDirectory, LoggedEvent } from './public-event';
import { STANDING_ORDER_PUBLIC_TYPES, toStandingOrderPublicEvent } from './standing-order-event';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const O = '33333333-3333-4333-8333-333333333333';
const directory: AccountDirectory = new Map([
  [A, { accountNumber: '100000000017', owner: 'Ada Lovelace', customerId: 'cust-a' }],
  [B, { accountNumber: '200000000025', owner: 'Grace Hopper', customerId: 'cust-b' }],
]);
const order = { standingOrderId: O, fromAccountId: A, toAccountId: B, amountCents: 2500 };
const at = new Date('2027-01-31T00:00:11.000Z');
const logged = (type: string, data: Record<string, unknown>, version = 3): LoggedEvent => ({
  streamId: `standingorder-${O}`,
  version,
  type,
  data: { standingOrderId: O, dueOn: '2027-01-31', attempt: 1, ...data },
  metadata: { schemaVersion: 1 },
  commandId: `standing-order:${O}:2027-01-31:1:outcome`,
  createdAt: at,
});

describe('standing orders in the public event schema', () => {
  it('a paid occurrence: the paying account by number, the payee masked, the transfer’s command id', () => {
    const transfer = `standing-order:${O}:2027-01-31`;
    expect(
      toStandingOrderPublicEvent(logged('OccurrencePaid', { transferCommandId: transfer }), order, directory),
    ).toEqual({
      type: 'standing_order.paid',
      timestamp: at.toISOString(),
      data: {
        schemaVersion: 1,
        eventId: `evt_standingorder-${O}_3`,
        standingOrderId: O,
        accountId: A,
        accountNumber: '100000000017',
        dueOn: '2027-01-31',
        amount: '25.00',
        currency: 'USD',
        at: at.toISOString(),
        to: { name: maskName('Grace Hopper'), accountNumber: '200000000025' },
        commandId: transfer,
      },
    });
  });

  it('a refusal carries its reason; the steps before an outcome are not published', () => {
    const refused = toStandingOrderPublicEvent(
      logged('OccurrenceRefused', { attempt: 2, reason: 'insufficient-funds' }, 5),
      order,
      directory,
    );
    expect(refused).toMatchObject({ type: 'standing_order.refused', data: { reason: 'insufficient-funds' } });
    expect(STANDING_ORDER_PUBLIC_TYPES).toEqual(['standing_order.paid', 'standing_order.refused']);
    expect(refused?.data).not.toHaveProperty('commandId');
    for (const type of [
      'StandingOrderCreated',
      'OccurrenceStarted',
      'OccurrenceRetryScheduled',
      'StandingOrderCancelled',
    ])
      expect(toStandingOrderPublicEvent(logged(type, {}), order, directory)).toBeNull();
  });
});
