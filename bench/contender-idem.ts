// Idem's full command path: handleAccountCommand (load command + snapshot + events in one query,
// decide, commit command row + event + balance and transaction projections in one statement; on a
// conflict re-decide, queued on a per-stream advisory lock from the second attempt), on a Prisma
// client made by production's createPrismaClient (lib/db/prisma.ts), with its defaults.
import { handleAccountCommand } from '../lib/accounts/account-commands';
import { createPrismaClient, type Db } from '../lib/db/prisma';
import type { AccountCommand } from '../lib/domain/account';
import type { AccountId } from '../lib/domain/account-id';
import { newAccountId } from '../lib/accounts/ids';
import type { Appender } from './contender-raw';
import { BENCH_AMOUNT_CENTS, newId } from './payload';
import { CUSTOMER, testAccountNumber } from '../test/customers';

export const OPENING_DEPOSIT_CENTS = 100_000_000; // $1,000,000.00

export async function openAccount(db: Db, snapshotEvery?: number): Promise<AccountId> {
  const accountId = newAccountId();
  const result = await handleAccountCommand(
    {
      type: 'OpenAccount',
      data: { accountId, accountNumber: testAccountNumber(accountId), owner: 'bench', openingDepositCents: OPENING_DEPOSIT_CENTS },
      metadata: { commandId: newId(), now: new Date(), customerId: CUSTOMER },
    },
    { db, snapshotEvery },
  );
  if (result.status !== 'accepted') throw new Error(`OpenAccount: ${JSON.stringify(result)}`);
  return accountId;
}

/** Deposits and withdrawals of one cent, alternating, so balances stay put and nothing is rejected. */
export function moneyCommand(accountId: AccountId, seq: number): AccountCommand {
  const metadata = { commandId: newId(), now: new Date(), customerId: CUSTOMER };
  const data = { accountId, amountCents: BENCH_AMOUNT_CENTS };
  return seq % 2 === 0 ? { type: 'DepositMoney', data, metadata } : { type: 'WithdrawMoney', data, metadata };
}

/** `snapshotEvery` undefined: production's (IDEM_SNAPSHOT_EVERY or its default). */
export function idemAppender(url: string, poolSize: number, options: { snapshotEvery?: number } = {}): Appender & { open: (key: string) => Promise<void> } {
  const db = createPrismaClient(url, poolSize);
  const { snapshotEvery } = options;
  const accounts = new Map<string, AccountId>();
  const seqs = new Map<number, number>();
  return {
    name: 'Idem',
    async open(key) {
      accounts.set(key, await openAccount(db, snapshotEvery));
    },
    async append(key, worker) {
      const accountId = accounts.get(key);
      if (!accountId) throw new Error(`no account for ${key}`);
      const seq = seqs.get(worker) ?? 0;
      seqs.set(worker, seq + 1);
      let conflicts = 0;
      const result = await handleAccountCommand(moneyCommand(accountId, seq), { db, snapshotEvery, onConflict: () => void conflicts++ });
      if (result.status !== 'accepted') return { conflicts, failed: true };
      return { conflicts };
    },
    close: () => db.$disconnect(),
  };
}
