import { describe, expect, it } from 'vitest';
import { maskName } from '@/lib/domain/mask-name';
import type { AccountDirectory, LoggedEvent } from './public-event';
import { PUBLISHED_EVENT_TYPES, publicFormOf, type OrderDirectory } from './public-forms';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const O = '33333333-3333-4333-8333-333333333333';
const directory: AccountDirectory = new Map([
  [A, { accountNumber: '100000000017', owner: 'Ada Lovelace', customerId: 'cust-a' }],
  [B, { accountNumber: '200000000025', owner: 'Grace Hopper', customerId: 'cust-b' }],
]);
const orders: OrderDirectory = new Map([
  [O, { standingOrderId: O, fromAccountId: A, toAccountId: B, amountCents: 2500 }],
]);
const at = new Date('2027-01-31T00:00:11.000Z');
const orderEvent = (type: string, data: Record<string, unknown>, version = 3): LoggedEvent => ({
  streamId: `standingorder-${O}`,
  version,
  type,
  data: { standingOrderId: O, dueOn: '2027-01-31', attempt: 1, ...data },
  metadata: { schemaVersion: 1 },
  commandId: `standing-order:${O}:2027-01-31:1:outcome`,
  createdAt: at,
});

describe('the public form of any logged event', () => {
  it('a paid occurrence: the transfer’s command id, the paying account, the payee masked, nothing of the payee’s own', () => {
    const transfer = `standing-order:${O}:2027-01-31`;
    const paid = publicFormOf(orderEvent('OccurrencePaid', { transferCommandId: transfer }), directory, orders);
    expect(paid).toEqual({
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
