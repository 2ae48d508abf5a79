import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { movementUpdate } from '@/lib/accounts/history-update';
import { newAccountId } from '@/lib/accounts/ids';
import { transactionPage } from '@/lib/accounts/transaction-page';
import { appDatabase } from '@/test/auth';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// The account page shows its own deposits and withdrawals from the action's answer, built from the
// command's result (lib/accounts/history-update.ts), until its next render reads the history. Both
// must be the same row, or the page would change when it is rendered again.

appDatabase();

describe("a deposit's or a withdrawal's update", () => {
  it('is exactly the row the history reads back, with the balance and version after the command', async () => {
    const accountId = newAccountId();
    const opened = new Date('2026-12-07T03:00:00.000Z');
    const open = await handleAccountCommand({
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'U', openingDepositCents: 10_000 },
      metadata: { commandId: `${CUSTOMER}:${randomUUID()}`, now: opened, customerId: CUSTOMER },
    });
    expect(open.status).toBe('accepted');
    for (const [type, amountCents, at] of [
      ['WithdrawMoney', 2_525, new Date('2026-12-07T03:01:02.345Z')],
      ['DepositMoney', 1_001, new Date('2026-12-07T03:02:00.000Z')],
    ] as const) {
      const outcome = await handleAccountCommand({
        type,
        data: { accountId, amountCents },
        metadata: { commandId: `${CUSTOMER}:${randomUUID()}`, now: at, customerId: CUSTOMER },
      });
      if (outcome.status !== 'accepted') throw new Error(`${type}: ${outcome.status}`);
      const update = movementUpdate(type, outcome.result, at);
      const read = await transactionPage({ accountId, openedAt: opened }, CUSTOMER, {
        filter: 'all',
        before: null,
        seenVersion: 0,
      });
      expect(read.entries[0]).toEqual(update.entry);
      expect(update.version).toBe(read.entries[0]!.version);
      expect(update.balanceCents).toBe(read.entries[0]!.balanceAfterCents);
    }
  });
});
