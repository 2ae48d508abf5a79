import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from './public-event';
import { A, B, O, at, directory, order, orderEvent, paidPublicForm, paidTransfer } from './standing-order-fixtures';
import { PUBLISHED_EVENT_TYPES, publicFormOf, type OrderDirectory } from './public-forms';

const orders: OrderDirectory = new Map([[O, order]]);

describe('the public form of any logged event', () => {
  it('a paid occurrence: the transfer’s command id, the paying account, the payee masked, nothing of the payee’s own', () => {
    const paid = publicFormOf(orderEvent('OccurrencePaid', { transferCommandId: paidTransfer }), directory, orders);
    expect(paid).toEqual(paidPublicForm);
    const body = JSON.stringify(paid);
    // Nothing foreign: not the payee's full name, account id or customer, not the internal attempt count.
    for (const foreign of ['Grace Hopper', B, 'cust-b', 'cust-a', 'attempt', 'Ada Lovelace'])
      expect(body).not.toContain(foreign);
  });

  it('a refused occurrence: the reason, no command id', () => {
    const refused = publicFormOf(
      orderEvent('OccurrenceRefused', { attempt: 2, reason: 'insufficient-funds' }, 5),
      directory,
      orders,
    );
    expect(refused?.type).toBe('standing_order.refused');
    expect(refused?.data).toMatchObject({
      accountId: A,
      reason: 'insufficient-funds',
      to: { accountNumber: '200000000025' },
    });
    expect(refused?.data).not.toHaveProperty('commandId');
    expect(JSON.stringify(refused)).not.toContain('Grace Hopper');
  });

  it('the other steps of an order have no public form; account events map as before', () => {
    for (const type of [
      'StandingOrderCreated',
      'OccurrenceStarted',
      'OccurrenceRetryScheduled',
      'StandingOrderCancelled',
    ])
      expect(publicFormOf(orderEvent(type, {}), directory, new Map())).toBeNull();
    const deposit: LoggedEvent = {
      streamId: `account-${A}`,
      version: 2,
      type: 'MoneyDeposited',
      data: { accountId: A, amountCents: 1250, balanceAfterCents: 1250 },
      metadata: { schemaVersion: 2 },
      commandId: 'c-1',
      createdAt: at,
    };
    expect(publicFormOf(deposit, directory, orders)).toMatchObject({
      type: 'money.deposited',
      data: { accountId: A, amount: '12.50', balance: '12.50', commandId: 'c-1' },
    });
  });

  it('an outcome of an order the batch did not load is an error, not a silent skip', () => {
    expect(() => publicFormOf(orderEvent('OccurrencePaid', { transferCommandId: 'x' }), directory, new Map())).toThrow(
      /missing from the order directory/,
    );
  });

  it('endpoints may subscribe to the standing-order outcomes', () => {
    expect(PUBLISHED_EVENT_TYPES).toEqual(
      expect.arrayContaining(['money.deposited', 'transfer.received', 'standing_order.paid', 'standing_order.refused']),
    );
  });
});
