import { describe, expect, it } from 'vitest';
import { maskName } from '@/lib/domain/mask-name';
import { A, O, at, directory, order, orderEvent as logged } from './standing-order-fixtures';
import { STANDING_ORDER_PUBLIC_TYPES, toStandingOrderPublicEvent } from './standing-order-event';

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
