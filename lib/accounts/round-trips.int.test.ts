import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import type { AccountCommand } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { testDb } from '@/test/db';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// The engine's cost in round trips is part of its contract (docs/performance.md and bench/RESULTS.md quote
// it): every `query` of a pg Client is one round trip. Counted per command, not timed.

const counter = new AsyncLocalStorage<string[]>();
const original = pg.Client.prototype.query;

beforeAll(() => {
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const first = args[0];
    const text = typeof first === 'string' ? first : String((first as { text?: unknown } | undefined)?.text ?? '');
    counter.getStore()?.push(text.replace(/\s+/g, ' ').trim().slice(0, 40));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
});
afterAll(() => {
  pg.Client.prototype.query = original;
});

const db = testDb(4);
const now = new Date('2026-11-30T12:00:00.000Z');

async function roundTrips(command: AccountCommand) {
  const statements: string[] = [];
  const result = await counter.run(statements, () => handleAccountCommand(command, { db }));
  return { result, statements };
}

describe('round trips per command', () => {
  let accountId: AccountId;
  beforeAll(async () => {
    accountId = newAccountId();
    await handleAccountCommand(
      {
        type: 'OpenAccount',
        data: {
          accountId,
          accountNumber: testAccountNumber(accountId),
          owner: 'Round Trip',
          openingDepositCents: 10_000,
        },
        metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
      },
      { db },
    );
  });

  it('an uncontended withdrawal takes two: load, then the one-statement commit', async () => {
    const { result, statements } = await roundTrips({
      type: 'WithdrawMoney',
      data: { accountId, amountCents: 100 },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    });
    expect(result).toMatchObject({ status: 'accepted', replayed: false });
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^WITH usable AS/);
    expect(statements[1]).toMatch(/^WITH new_events AS/);
  });

  it('a rejection is recorded in the same two', async () => {
    const { result, statements } = await roundTrips({
      type: 'WithdrawMoney',
      data: { accountId, amountCents: 1_000_000 },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    });
    expect(result).toMatchObject({ status: 'rejected' });
    expect(statements).toHaveLength(2);
  });

  it('a duplicate takes two: the load finds the stored outcome, then the replay is counted', async () => {
    const command: AccountCommand = {
      type: 'DepositMoney',
      data: { accountId, amountCents: 5 },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    };
    await handleAccountCommand(command, { db });
    const { result, statements } = await roundTrips(command);
    expect(result).toMatchObject({ status: 'accepted', replayed: true });
    expect(statements).toHaveLength(2);
    expect(statements[1]).toMatch(/^INSERT INTO command_replays/);
  });
});
