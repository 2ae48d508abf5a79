import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { movementUpdate, transferUpdate } from '@/lib/accounts/history-update';
import { newAccountId } from '@/lib/accounts/ids';
import { counterpartyFor, transactionPage, versionWrittenBy } from '@/lib/accounts/transaction-page';
import { handleTransfer } from '@/lib/accounts/transfer-command';
import { appDatabase } from '@/test/auth';
import { CUSTOMER, testAccountNumber } from '@/test/customers';

// The account page shows its own deposits, withdrawals and transfers from the action's answer,
// built from the command's result (lib/accounts/history-update.ts), until its next render reads the
// history. Both must be the same row, or the page would change when it is rendered again.

appDatabase();
/** Someone else, with no user row: the history names their account by its masked holder. */
const OTHER_CUSTOMER = 'customer-test-someone-else';

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

describe("a transfer's update on the sender's page", () => {
  it('is exactly the row the history reads back, naming the recipient as it does: own account by name, anyone else masked', async () => {
    const opened = new Date('2026-12-07T03:00:00.000Z');
    const open = async (customerId: string, owner: string) => {
      const accountId = newAccountId();
      const r = await handleAccountCommand({
        type: 'OpenAccount',
        data: { accountId, accountNumber: testAccountNumber(accountId), owner, openingDepositCents: 10_000 },
        metadata: { commandId: `${customerId}:${randomUUID()}`, now: opened, customerId },
      });
      expect(r.status).toBe('accepted');
      return accountId;
    };
    const from = await open(CUSTOMER, 'Everyday');
    const mine = await open(CUSTOMER, 'Rainy day fund');
    const theirs = await open(OTHER_CUSTOMER, 'Grace Hopper');
    for (const [to, reference] of [
      [mine, 'to savings'],
      [theirs, undefined],
    ] as const) {
      const at = new Date('2026-12-07T03:05:00.123Z');
      const commandId = `${CUSTOMER}:${randomUUID()}`;
      const outcome = await handleTransfer({
        type: 'TransferMoney',
        data: {
          transferId: randomUUID(),
          fromAccountId: from,
          toAccountId: to,
          amountCents: 1_250,
          ...(reference ? { reference } : {}),
        },
        metadata: { commandId, now: at, customerId: CUSTOMER },
      });
      if (outcome.status !== 'accepted') throw new Error(`transfer: ${outcome.status}`);
      const version = await versionWrittenBy(from, commandId);
      const update = transferUpdate(outcome.result, version!, await counterpartyFor(to, CUSTOMER), at);
      const read = await transactionPage({ accountId: from, openedAt: opened }, CUSTOMER, {
        filter: 'all',
        before: null,
        seenVersion: 0,
      });
      expect(read.entries[0]).toEqual(update.entry);
      expect(update.balanceCents).toBe(read.entries[0]!.balanceAfterCents);
    }
  });
});
