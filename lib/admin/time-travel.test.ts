import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@/lib/event-store';
import { changesBetween, stateAt, statesAfterEachEvent } from './time-travel';

// Time travel over an account stream: the state after each version, a point in it by version or
// moment, and what each event changed.

const ID = '0b6a1c4e-5b7f-4c1e-9d2a-1f2e3d4c5b6a';
const meta = (schemaVersion: number) => ({
  commandId: 'c',
  commandType: 'X',
  causationId: 'c',
  correlationId: 'c',
  schemaVersion,
});
const at = (minute: number) => new Date(`2026-11-26T10:${String(minute).padStart(2, '0')}:00Z`);
const event = (version: number, type: string, data: object, minute: number, schemaVersion = 2): RecordedEvent => ({
  globalPosition: BigInt(version * 10),
  streamId: `account-${ID}`,
  version,
  type,
  data,
  metadata: meta(schemaVersion),
  commandId: `c${version}`,
  createdAt: at(minute),
});

const stream = [
  event(
    1,
    'AccountOpened',
    { accountId: ID, accountNumber: '100000000018', customerId: 'u1', owner: 'Ada', openedAt: at(0).toISOString() },
    0,
  ),
  event(
    2,
    'MoneyDeposited',
    {
      accountId: ID,
      amountCents: 20_000,
      currency: 'USD',
      balanceAfterCents: 20_000,
      depositedAt: at(0).toISOString(),
    },
    0,
  ),
  event(
    3,
    'MoneyWithdrawn',
    { accountId: ID, amountCents: 1_234, currency: 'USD', balanceAfterCents: 18_766, withdrawnAt: at(5).toISOString() },
    5,
  ),
];

describe('time travel', () => {
  it('folds the stream with the decider, keeping the state before and after each event', () => {
    const rows = statesAfterEachEvent(`account-${ID}`, stream);
    expect(rows.map((r) => (r.state?.status === 'open' ? r.state.balanceCents : null))).toEqual([0, 20_000, 18_766]);
    expect(rows[0]!.before).toEqual({ status: 'none' });
    expect(rows[2]!.before).toEqual(rows[1]!.state);
  });

  it('what each event changed: every field an opening sets, then only the balance', () => {
    const rows = statesAfterEachEvent(`account-${ID}`, stream);
    expect(changesBetween(rows[0]!.before, rows[0]!.state)).toEqual([
      { field: 'status', before: 'none', after: 'open' },
      { field: 'accountNumber', before: null, after: '100000000018' },
      { field: 'owner', before: null, after: 'Ada' },
      { field: 'customerId', before: null, after: 'u1' },
      { field: 'balanceCents', before: null, after: 0 },
      { field: 'openedAt', before: null, after: at(0).toISOString() },
    ]);
    expect(changesBetween(rows[2]!.before, rows[2]!.state)).toEqual([
      { field: 'balanceCents', before: 20_000, after: 18_766 },
    ]);
    expect(changesBetween(rows[1]!.state, rows[1]!.state)).toEqual([]);
  });

  it('a point by version or by moment lands on the last event at or before it', () => {
    const rows = statesAfterEachEvent(`account-${ID}`, stream);
    expect(stateAt(rows, { version: 2 })?.event.version).toBe(2);
    expect(stateAt(rows, { version: 99 })?.event.version).toBe(3);
    expect(stateAt(rows, { version: 0 })).toBeNull();
    expect(stateAt(rows, { moment: at(0) })?.event.version).toBe(2); // both events of the opening command
    expect(stateAt(rows, { moment: at(4) })?.event.version).toBe(2);
    expect(stateAt(rows, { moment: at(5) })?.event.version).toBe(3);
    expect(stateAt(rows, { moment: new Date('2026-11-26T09:59:59Z') })).toBeNull();
  });

  it('an event the code cannot read stops the fold there, and other streams are not folded', () => {
    const rows = statesAfterEachEvent(`account-${ID}`, [
      stream[0]!,
      event(2, 'MoneyVanished', { accountId: ID }, 1),
      stream[2]!,
    ]);
    expect(rows[0]!.error).toBeNull();
    expect(rows[1]).toMatchObject({ state: null, error: expect.any(String) });
    expect(rows[2]).toMatchObject({ state: null, error: rows[1]!.error });
    expect(statesAfterEachEvent('transfer-1', stream).every((r) => r.error === 'Not an account stream')).toBe(true);
  });
});
