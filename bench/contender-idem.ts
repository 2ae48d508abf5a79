// Idem's full command path: handleAccountCommand (load command + snapshot + events in one query,
// decide, commit command row + event + balance and transaction projections in one statement; on a
// conflict re-decide, queued on a per-stream advisory lock from the second attempt).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { handleAccountCommand } from '../lib/account-commands';
import { createPrismaClient, type Db } from '../lib/db/prisma';
import type { AccountCommand } from '../lib/domain/account';
import { PrismaClient } from '../lib/generated/prisma/client';
import type { Appender } from './contender-raw';
import { BENCH_AMOUNT_CENTS, newId } from './payload';
import { proposedHandleAccountCommand } from './proposed-handler';

export const OPENING_DEPOSIT_CENTS = 100_000_000; // $1,000,000.00

/**
 * A Prisma client like production's (lib/db/prisma.ts); with `ClientClass`, every pg query also goes
 * through it. `prepared` is a proposal, not production: named statements (adapter-pg's
 * statementNameGenerator), so each connection parses and plans the two command statements once.
 */
export function benchPrisma(url: string, poolSize: number, ClientClass?: typeof pg.Client, options: { prepared?: boolean } = {}): Db {
  if (!ClientClass && !options.prepared) return createPrismaClient(url, poolSize);
  const adapter = new PrismaPg(
    { connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, ...(ClientClass ? { Client: ClientClass as never } : {}) },
    options.prepared ? { statementNameGenerator: (query) => `idem_${createHash('sha1').update(query.sql).digest('hex').slice(0, 20)}` } : undefined,
  );
  return new PrismaClient({ adapter });
}

export async function openAccount(db: Db, snapshotEvery: number): Promise<string> {
  const accountId = newId();
  const result = await handleAccountCommand(
    { type: 'OpenAccount', data: { accountId, owner: 'bench', openingDepositCents: OPENING_DEPOSIT_CENTS }, metadata: { commandId: newId(), now: new Date() } },
    { db, snapshotEvery },
  );
  if (result.status !== 'accepted') throw new Error(`OpenAccount: ${JSON.stringify(result)}`);
  return accountId;
}

/** Deposits and withdrawals of one cent, alternating, so balances stay put and nothing is rejected. */
export function moneyCommand(accountId: string, seq: number): AccountCommand {
  const metadata = { commandId: newId(), now: new Date() };
  const data = { accountId, amountCents: BENCH_AMOUNT_CENTS };
  return seq % 2 === 0 ? { type: 'DepositMoney', data, metadata } : { type: 'WithdrawMoney', data, metadata };
}

export function idemAppender(
  url: string,
  poolSize: number,
  snapshotEvery: number,
  ClientClass?: typeof pg.Client,
  options: { prepared?: boolean; proposed?: boolean } = {},
): Appender & { open: (key: string) => Promise<void> } {
  const db = benchPrisma(url, poolSize, ClientClass, options);
  const accounts = new Map<string, string>();
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
      const handle = options.proposed ? proposedHandleAccountCommand : handleAccountCommand;
      const result = await handle(moneyCommand(accountId, seq), { db, snapshotEvery, onConflict: () => void conflicts++ });
      if (result.status !== 'accepted') return { conflicts, failed: true };
      return { conflicts };
    },
    close: () => db.$disconnect(),
  };
}
