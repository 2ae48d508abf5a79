import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { handleAccountCommand } from '@/lib/accounts/account-commands';
import { newAccountId } from '@/lib/accounts/ids';
import type { WithdrawMoney } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { CUSTOMER, testAccountNumber } from '@/test/customers';
import { testDb } from '@/test/db';
import { setCommandObserver, type CommandFinished, type CommandStep, type WriteConflictSeen } from './command-observer';

// The engine's one observability hook: every finished command once, with its outcome and attempts;
// every retried conflict once; each step wrapped (for spans). Without an observer nothing changes.

const db = testDb(20);
const now = new Date('2026-11-30T12:00:00.000Z');

function record() {
  const finished: CommandFinished[] = [];
  const conflicts: WriteConflictSeen[] = [];
  const steps: { step: CommandStep; attributes: Record<string, string | number>; status?: string }[] = [];
  setCommandObserver({
    finished: (e) => finished.push(e),
    conflict: (e) => conflicts.push(e),
    step: async (step, attributes, run) => {
      const result = await run();
      steps.push({ step, attributes, status: (result as { status?: string } | undefined)?.status });
      return result;
    },
  });
  return { finished, conflicts, steps };
}
afterEach(() => setCommandObserver(null));

const withdrawal = (accountId: AccountId, amountCents: number, commandId: string = randomUUID()): WithdrawMoney => ({
  type: 'WithdrawMoney',
  data: { accountId, amountCents },
  metadata: { commandId, now, customerId: CUSTOMER },
});

async function open(cents: number) {
  const accountId = newAccountId();
  await handleAccountCommand(
    {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'Observed', openingDepositCents: cents },
      metadata: { commandId: randomUUID(), now, customerId: CUSTOMER },
    },
    { db },
  );
  return accountId;
}

describe('command observer', () => {
  it('reports accepted, replayed, key_reused and rejected, one event per command, with steps load → decide → commit', async () => {
    const accountId = await open(1_000);
    const seen = record();
    const key = randomUUID();
    await handleAccountCommand(withdrawal(accountId, 100, key), { db });
    await handleAccountCommand(withdrawal(accountId, 100, key), { db });
    await handleAccountCommand(withdrawal(accountId, 200, key), { db });
    await handleAccountCommand(withdrawal(accountId, 99_999), { db });
    expect(seen.finished.map((e) => [e.type, e.outcome, e.attempts])).toEqual([
      ['WithdrawMoney', 'accepted', 1],
      ['WithdrawMoney', 'replayed', 1],
      ['WithdrawMoney', 'key_reused', 1],
      ['WithdrawMoney', 'rejected', 1],
    ]);
    expect(seen.finished[0]!.commandId).toBe(key);
    expect(seen.finished.every((e) => e.durationMs > 0)).toBe(true);
    const first = seen.steps.filter((s) => s.attributes['idem.command_id'] === key).slice(0, 4);
    expect(first.map((s) => [s.step, s.status, s.attributes['idem.outcome']])).toEqual([
      ['load', undefined, undefined],
      ['decide', 'accepted', undefined],
      ['commit', undefined, 'accepted'],
      ['command', 'accepted', undefined],
    ]);
  });

  it('reports every retried conflict with its kind, attempts = conflicts + 1, and busy when retries run out', async () => {
    const accountId = await open(100_000);
    const seen = record();
    await Promise.all(Array.from({ length: 30 }, () => handleAccountCommand(withdrawal(accountId, 10), { db })));
    expect(seen.conflicts.length).toBeGreaterThan(0);
    expect(new Set(seen.conflicts.map((c) => c.kind))).toEqual(new Set(['unique']));
    const extra = seen.finished.reduce((n, e) => n + e.attempts - 1, 0);
    expect(extra).toBe(seen.conflicts.length);

    const busyOnly = record();
    const noRetry = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    const other = await open(100_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => handleAccountCommand(withdrawal(other, 10), { db, retry: noRetry })),
    );
    const busy = busyOnly.finished.filter((e) => e.outcome === 'busy');
    expect(busy.length).toBe(results.filter((r) => r.status === 'busy').length);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((e) => e.attempts === 1)).toBe(true);
  });

  it('an observer that throws changes nothing', async () => {
    const accountId = await open(1_000);
    setCommandObserver({
      finished: () => {
        throw new Error('observer bug');
      },
      conflict: () => {
        throw new Error('observer bug');
      },
    });
    expect(await handleAccountCommand(withdrawal(accountId, 100), { db })).toMatchObject({ status: 'accepted' });
  });
});
