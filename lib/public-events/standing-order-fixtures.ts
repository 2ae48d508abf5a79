// The accounts, the order and its logged events that the public-event tests of standing orders share.
import { maskName } from '@/lib/domain/mask-name';
import type { AccountDirectory, LoggedEvent } from './public-event';

export const A = '11111111-1111-4111-8111-111111111111';
export const B = '22222222-2222-4222-8222-222222222222';
export const O = '33333333-3333-4333-8333-333333333333';
export const directory: AccountDirectory = new Map([
  [A, { accountNumber: '100000000017', owner: 'Ada Lovelace', customerId: 'cust-a' }],
  [B, { accountNumber: '200000000025', owner: 'Grace Hopper', customerId: 'cust-b' }],
]);
export const order = { standingOrderId: O, fromAccountId: A, toAccountId: B, amountCents: 2500 };
export const at = new Date('2027-01-31T00:00:11.000Z');
/** One of the order's events, on its stream, as the outcome step logs it. */
export const orderEvent = (type: string, data: Record<string, unknown>, version = 3): LoggedEvent => ({
  streamId: `standingorder-${O}`,
  version,
  type,
  data: { standingOrderId: O, dueOn: '2027-01-31', attempt: 1, ...data },
  metadata: { schemaVersion: 1 },
  commandId: `standing-order:${O}:2027-01-31:1:outcome`,
  createdAt: at,
});

/** The command id of the transfer that pays the occurrence of 2027-01-31. */
export const paidTransfer = `standing-order:${O}:2027-01-31`;
/** What the public schema says of that paid occurrence (either way it is computed). */
export const paidPublicForm = {
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
    commandId: paidTransfer,
  },
};
