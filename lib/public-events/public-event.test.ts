import { describe, expect, it } from 'vitest';
import { accountIdsOf, publicEventId, toPublicEvent, type AccountDirectory, type LoggedEvent } from './public-event';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const directory: AccountDirectory = new Map([
  [A, { accountNumber: '100000000017', owner: 'Ada Lovelace', customerId: 'cust-a' }],
  [B, { accountNumber: '200000000025', owner: 'Grace Hopper', customerId: 'cust-b' }],
]);
const at = new Date('2026-12-06T10:00:00.000Z');
const logged = (e: Partial<LoggedEvent> & Pick<LoggedEvent, 'type' | 'data'>): LoggedEvent => ({
  streamId: `account-${A}`,
  version: 2,
  metadata: { schemaVersion: 2 },
  commandId: 'cust-a:key-1',
  createdAt: at,
  ...e,
});

describe('the public event schema', () => {
  it('names amounts as decimal strings, the account by its number, and keeps the own command id', () => {
    const event = toPublicEvent(
      logged({
        type: 'MoneyDeposited',
        data: {
          accountId: A,
          amountCents: 1250,
          currency: 'USD',
          balanceAfterCents: 100005,
          depositedAt: at.toISOString(),
        },
      }),
      directory,
    );
    expect(event).toEqual({
      type: 'money.deposited',
      timestamp: '2026-12-06T10:00:00.000Z',
      data: {
        schemaVersion: 1,
        eventId: `evt_account-${A}_2`,
        accountId: A,
        accountNumber: '100000000017',
        version: 2,
        amount: '12.50',
        balance: '1000.05',
        currency: 'USD',
        at: '2026-12-06T10:00:00.000Z',
        commandId: 'cust-a:key-1',
      },
    });
  });

  it('shows a received transfer’s sender masked, without the sender’s command id', () => {
    const event = toPublicEvent(
      logged({
        streamId: `account-${B}`,
        version: 7,
        metadata: { schemaVersion: 1 },
        type: 'MoneyTransferredIn',
        data: {
          accountId: B,
          transferId: 't-1',
          fromAccountId: A,
          amountCents: 500,
          balanceAfterCents: 900,
          transferredAt: at.toISOString(),
          reference: 'Rent',
        },
      }),
      directory,
    );
    expect(event?.type).toBe('transfer.received');
    expect(event?.data.from).toEqual({ name: 'A. L*******', accountNumber: '100000000017' });
    expect(event?.data).not.toHaveProperty('commandId');
    expect(event?.data.reference).toBe('Rent');
    expect(JSON.stringify(event)).not.toContain('cust-a');
    expect(JSON.stringify(event)).not.toContain('Lovelace');
  });

  it('keeps the command id of a transfer between one customer’s own accounts', () => {
    const own: AccountDirectory = new Map([...directory, [B, { ...directory.get(B)!, customerId: 'cust-a' }]]);
    const event = toPublicEvent(
      logged({
        type: 'MoneyTransferredIn',
        metadata: { schemaVersion: 1 },
        data: {
          accountId: B,
          transferId: 't-2',
          fromAccountId: A,
          amountCents: 1,
          balanceAfterCents: 1,
          transferredAt: at.toISOString(),
        },
      }),
      own,
    );
    expect(event?.data.commandId).toBe('cust-a:key-1');
  });

  it('upcasts old events, skips unpublished types and needs its accounts in the directory', () => {
    const v1 = logged({
      type: 'MoneyWithdrawn',
      metadata: {},
      data: { accountId: A, amountCents: 1, balanceAfterCents: 0, withdrawnAt: at.toISOString() },
    });
    expect(toPublicEvent(v1, directory)?.data.amount).toBe('0.01');
    expect(toPublicEvent(logged({ type: 'StandingOrderCreated', data: {} }), directory)).toBeNull();
    expect(() => toPublicEvent(v1, new Map())).toThrow(/missing from the directory/);
    expect(
      accountIdsOf({ type: 'MoneyTransferredOut', streamId: `account-${A}`, data: { accountId: A, toAccountId: B } }),
    ).toEqual([A, B]);
    // The stored form without the account id (its stream's) and the time (its row's), as written now.
    const lean = logged({
      type: 'MoneyTransferredOut',
      streamId: `account-${A}`,
      metadata: { schemaVersion: 1 },
      data: { transferId: 't1', toAccountId: B, amountCents: 250, balanceAfterCents: 750 },
    });
    expect(accountIdsOf(lean)).toEqual([A, B]);
    expect(toPublicEvent(lean, directory)).toMatchObject({ data: { accountId: A, at: lean.createdAt.toISOString() } });
    expect(publicEventId('account-x', 3)).toBe('evt_account-x_3');
  });
});
