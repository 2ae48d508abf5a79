import { describe, expect, it } from 'vitest';
import { directory, order, orderEvent as logged, paidPublicForm, paidTransfer } from './standing-order-fixtures';
import { STANDING_ORDER_PUBLIC_TYPES, toStandingOrderPublicEvent } from './standing-order-event';

describe('standing orders in the public event schema', () => {
  it('a paid occurrence: the paying account by number, the payee masked, the transfer’s command id', () => {
    expect(
      toStandingOrderPublicEvent(logged('OccurrencePaid', { transferCommandId: paidTransfer }), order, directory),
    ).toEqual(paidPublicForm);
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
