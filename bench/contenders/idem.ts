// Idem's production command path (bench/idem-adapter.ts): load command + snapshot + events in one
// query, decide with lib/accounts/domain/account.ts, commit command row + event + balance and transaction
// projections (+ a snapshot every 10th event) in one statement; on a conflict re-decide, queued on a
// per-stream advisory lock. On a Prisma client made by production's createPrismaClient, with its
// defaults (prepared statements, snapshot interval).
import type { AccountId } from '../../lib/accounts/domain/account-id';
import { legacyAccountNumber } from '../../lib/accounts/domain/account-number';
import { createPrismaClient, handleAccountCommand, newAccountId, type Db } from '../idem-adapter';
import { accountBook, BENCH_CUSTOMER, moneyCommand, OPENING_DEPOSIT_CENTS, type Appender } from './job';
import { newId } from './payload';
import { streamIs } from '../../lib/event-store/storage';

export async function openAccount(db: Db, snapshotEvery?: number): Promise<AccountId> {
  const accountId = newAccountId();
  const result = await handleAccountCommand(
    {
      type: 'OpenAccount',
      data: {
        accountId,
        accountNumber: legacyAccountNumber(accountId),
        owner: 'bench',
        openingDepositCents: OPENING_DEPOSIT_CENTS,
      },
      metadata: { commandId: newId(), now: new Date(), customerId: BENCH_CUSTOMER },
    },
    { db, snapshotEvery },
  );
  if (result.status !== 'accepted') throw new Error(`OpenAccount: ${JSON.stringify(result)}`);
  return accountId;
}

/** `snapshotEvery` undefined: production's (IDEM_SNAPSHOT_EVERY or its default). */
export function idemAppender(url: string, poolSize: number, options: { snapshotEvery?: number } = {}): Appender {
  const db = createPrismaClient(url, poolSize);
  const { snapshotEvery } = options;
  const accounts = accountBook();
  return {
    name: 'Idem',
    async open(key) {
      accounts.set(key, await openAccount(db, snapshotEvery));
    },
    async append(key, worker, seq) {
      let conflicts = 0;
      const result = await handleAccountCommand(moneyCommand(accounts.of(key), seq), {
        db,
        snapshotEvery,
        onConflict: () => void conflicts++,
      });
      if (result.status === 'busy') return { conflicts, failed: true, busy: true };
      if (result.status !== 'accepted') return { conflicts, failed: true };
      return { conflicts };
    },
    async streamLength(key) {
      const rows = await db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT COALESCE(max(version), 0)::int AS n FROM events WHERE ${streamIs('stream_id', '$1')}`,
        `account-${accounts.of(key)}`,
      );
      return rows[0]?.n ?? 0;
    },
    close: () => db.$disconnect(),
  };
}
