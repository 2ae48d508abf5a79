import { describe, expect, it } from 'vitest';
import { evolve, initialState } from './account';
import { EVENT_SCHEMA_VERSIONS, storedDataOf, upcast } from './upcast';

const accountId = '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b';

describe('upcast', () => {
  it('adds the currency a v1 MoneyWithdrawn did not have', () => {
    const v1 = {
      type: 'MoneyWithdrawn',
      schemaVersion: 1,
      data: { accountId, amountCents: 500, balanceAfterCents: 1_500, withdrawnAt: '2025-01-01T00:00:00.000Z' },
    };
    expect(upcast(v1)).toEqual({ type: 'MoneyWithdrawn', data: { ...v1.data, currency: 'USD' } });
  });

  it('treats events without a schema version as v1', () => {
    expect(
      upcast({ type: 'MoneyDeposited', data: { accountId, amountCents: 1, balanceAfterCents: 1, depositedAt: 'x' } })
        .data,
    ).toMatchObject({
      currency: 'USD',
    });
  });

  it('leaves current versions alone', () => {
    const v2 = {
      type: 'MoneyWithdrawn',
      schemaVersion: 2,
      data: { accountId, amountCents: 5, currency: 'USD', balanceAfterCents: 0, withdrawnAt: 'x' },
    };
    expect(upcast(v2)).toEqual({ type: v2.type, data: v2.data });
  });

  it('refuses versions newer than the code, and unknown types', () => {
    expect(() => upcast({ type: 'MoneyWithdrawn', schemaVersion: 3, data: {} })).toThrow(/newer than this code/);
    expect(() => upcast({ type: 'MoneyPrinted', schemaVersion: 1, data: {} })).toThrow(/Unknown event type/);
  });

  it('a history of v1 events replays to the same state as the same history written today', () => {
    const opened = { type: 'AccountOpened', schemaVersion: 1, data: { accountId, owner: 'Old', openedAt: 't' } };
    const v1 = [
      opened,
      {
        type: 'MoneyDeposited',
        schemaVersion: 1,
        data: { accountId, amountCents: 900, balanceAfterCents: 900, depositedAt: 't' },
      },
    ];
    const v2 = [
      opened,
      {
        type: 'MoneyDeposited',
        schemaVersion: EVENT_SCHEMA_VERSIONS.MoneyDeposited,
        data: { accountId, amountCents: 900, currency: 'USD', balanceAfterCents: 900, depositedAt: 't' },
      },
    ];
    expect(v1.map(upcast).reduce(evolve, initialState())).toEqual(v2.map(upcast).reduce(evolve, initialState()));
  });
});

describe('the stored form of account events (storedDataOf)', () => {
  const at = '2026-12-06T15:40:00.123Z';
  const streamId = `account-${accountId}`;
  const withdrawn = {
    type: 'MoneyWithdrawn' as const,
    data: { accountId, amountCents: 250, currency: 'USD' as const, balanceAfterCents: 750, withdrawnAt: at },
  };
  /** What PostgreSQL's jsonb gives back: keys shorter first, then by bytes. */
  const throughJsonb = (data: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(data).sort(([a], [b]) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : 1)),
    );

  it('leaves out the account id (its stream’s) and the time (its command’s, the row’s created_at)', () => {
    expect(storedDataOf(withdrawn, streamId, at)).toEqual({
      amountCents: 250,
      currency: 'USD',
      balanceAfterCents: 750,
    });
  });

  it('is read back as written, in the key order of a row written whole', () => {
    const stored = { type: withdrawn.type, data: storedDataOf(withdrawn, streamId, at), schemaVersion: 2 };
    const read = upcast({ ...stored, streamId, createdAt: new Date(at) });
    expect(read).toEqual(withdrawn);
    expect(JSON.stringify(read.data)).toBe(JSON.stringify(throughJsonb(withdrawn.data)));
  });

  it('keeps a time that is not its command’s, and everything of an event in another stream', () => {
    const later = { ...withdrawn, data: { ...withdrawn.data, withdrawnAt: '2026-12-07T00:00:00.000Z' } };
    expect(storedDataOf(later, streamId, at)).toMatchObject({ withdrawnAt: '2026-12-07T00:00:00.000Z' });
    expect(storedDataOf(withdrawn, 'account-other', at)).toEqual(withdrawn.data);
    const read = upcast({
      type: 'MoneyWithdrawn',
      schemaVersion: 2,
      data: storedDataOf(later, streamId, at),
      streamId,
      createdAt: new Date(at),
    });
    expect(read).toEqual(later);
  });

  it('every account event type: an opening, a transfer’s two sides', () => {
    const events = [
      {
        type: 'AccountOpened' as const,
        data: { accountId, accountNumber: '123456789012', customerId: 'cust-1', owner: 'Ada', openedAt: at },
      },
      {
        type: 'MoneyTransferredOut' as const,
        data: {
          accountId,
          transferId: 't1',
          toAccountId: 'b',
          amountCents: 5,
          balanceAfterCents: 0,
          transferredAt: at,
          reference: 'rent',
        },
      },
      {
        type: 'MoneyTransferredIn' as const,
        data: {
          accountId,
          transferId: 't1',
          fromAccountId: 'b',
          amountCents: 5,
          balanceAfterCents: 10,
          transferredAt: at,
        },
      },
    ];
    for (const e of events) {
      const data = storedDataOf(e, streamId, at);
      expect(data).not.toHaveProperty('accountId');
      expect(
        upcast({ type: e.type, data, schemaVersion: EVENT_SCHEMA_VERSIONS[e.type], streamId, createdAt: new Date(at) }),
      ).toEqual(e);
    }
  });

  it('a lean event read without its row is refused, not guessed', () => {
    const data = storedDataOf(withdrawn, streamId, at);
    expect(() => upcast({ type: 'MoneyWithdrawn', schemaVersion: 2, data })).toThrow(/without its account id/);
  });
});
