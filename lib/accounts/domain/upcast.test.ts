import { describe, expect, it } from 'vitest';
import { evolve, initialState } from './account';
import { EVENT_SCHEMA_VERSIONS, upcast } from './upcast';

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
