// The job every "same job" contender does, and the interface every contender implements.
// The job: "withdraw X from account A if its balance allows, exactly once per command id", mixed
// with deposits so balances stay put: each writer alternates deposit, withdrawal, deposit, … of one
// cent, with a fresh command id per operation, on an account opened with $1,000,000.00.
import { createHash } from 'node:crypto';
import type { AccountCommand } from '../../lib/accounts/domain/account';
import type { AccountId } from '../../lib/accounts/domain/account-id';
import type { OpOutcome } from '../measurement/closed-loop';
import { BENCH_AMOUNT_CENTS, newId } from './payload';

export const OPENING_DEPOSIT_CENTS = 100_000_000;

/** The customer every benchmark command acts as (commands carry the acting customer; accounts are theirs). */
export const BENCH_CUSTOMER = 'customer-bench';

/** Operation `seq` of one writer on `accountId`. */
export function moneyCommand(accountId: AccountId, seq: number): AccountCommand {
  const metadata = { commandId: newId(), now: new Date(), customerId: BENCH_CUSTOMER };
  const data = { accountId, amountCents: BENCH_AMOUNT_CENTS };
  return seq % 2 === 0 ? { type: 'DepositMoney', data, metadata } : { type: 'WithdrawMoney', data, metadata };
}

/** The metadata Idem stores with every event (lib/account-commands.ts), so every contender writes rows of the same size. */
export const metadataOf = (command: AccountCommand) => ({
  commandId: command.metadata.commandId,
  commandType: command.type,
  causationId: command.metadata.commandId,
  correlationId: command.metadata.commandId,
  schemaVersion: command.type === 'OpenAccount' ? 1 : 2,
});

/** What the hand-written contenders store to tell a retry from a reused key: sha256 of the request. */
export const fingerprintOf = (command: Exclude<AccountCommand, { type: 'OpenAccount' }>) =>
  createHash('sha256')
    .update(`${command.type}|${command.metadata.customerId}|${command.data.accountId}|${command.data.amountCents}`)
    .digest('hex');

export type Appender = {
  name: string;
  /** Creates what `key` needs (an account, for the same-job contenders) before the measured loop. */
  open?: (key: string) => Promise<void>;
  /**
   * One operation of writer `worker` (its `seq`-th) on `key`, retried on conflicts as the contender
   * does. Each writer knows only the versions it has seen itself, as separate clients would.
   */
  append: (key: string, worker: number, seq: number) => Promise<OpOutcome>;
  /** Events in the stream of `key` (to report the stream length reached and check exactly-once). */
  streamLength: (key: string) => Promise<number>;
  close: () => Promise<void>;
};

/** Each contender's accounts by the harness's key (one per writer or the hot one), opened once. */
export function accountBook() {
  const accounts = new Map<string, AccountId>();
  return {
    set: (key: string, id: AccountId) => void accounts.set(key, id),
    of(key: string): AccountId {
      const id = accounts.get(key);
      if (!id) throw new Error(`no account for ${key}`);
      return id;
    },
  };
}
