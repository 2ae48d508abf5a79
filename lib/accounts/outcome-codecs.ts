import type { AccountResult, TransferResult } from './results';
import type { AccountRejection } from '@/lib/accounts/domain/account';
import type { Cents } from '@/lib/domain/money';
import type { OutcomeCodec, StoredOutcome } from '@/lib/event-store';

// What the command log stores of an accepted account command's outcome: its values in a fixed
// order, without the keys, and without the account ids its streams already name. About 70 bytes
// instead of about 234 for a deposit or a withdrawal. Rejections are stored as they are (rarer, and
// of many shapes). The engine decodes on every replay, the admin console to show it: both get back
// exactly the outcome the first answer was made from.

const STREAM_PREFIX = 'account-';

function accountIdOf(streamId: string | undefined): string {
  if (!streamId?.startsWith(STREAM_PREFIX)) throw new Error(`Not an account stream: ${streamId}`);
  return streamId.slice(STREAM_PREFIX.length);
}

/** The stored values, checked against their types (`optionalString`: one more, a string, may follow). */
function values(stored: unknown[], types: readonly ('number' | 'string')[], what: string, optionalString = false) {
  const withOptional = optionalString && stored.length === types.length + 1 && typeof stored.at(-1) === 'string';
  if ((stored.length !== types.length && !withOptional) || types.some((t, i) => typeof stored[i] !== t))
    throw new Error(`A stored ${what} outcome of an unknown shape: ${JSON.stringify(stored).slice(0, 200)}`);
  return stored;
}

/** Open, deposit, withdraw: [amountCents, balanceCents, version, accountNumber, owner]. */
export const accountOutcomeCodec: OutcomeCodec<AccountResult, AccountRejection> = {
  encode: (outcome) =>
    outcome.status === 'accepted'
      ? [
          outcome.result.amountCents,
          outcome.result.balanceCents,
          outcome.result.version,
          outcome.result.accountNumber,
          outcome.result.owner,
        ]
      : outcome,
  decode(stored, { streamIds }) {
    if (!Array.isArray(stored)) return stored as StoredOutcome<AccountResult, AccountRejection>;
    const [amountCents, balanceCents, version, accountNumber, owner] = values(
      stored,
      ['number', 'number', 'number', 'string', 'string'],
      'account command',
    );
    return {
      status: 'accepted',
      result: {
        accountId: accountIdOf(streamIds[0]),
        accountNumber: accountNumber as string,
        owner: owner as string,
        amountCents: amountCents as Cents,
        balanceCents: balanceCents as Cents,
        version: version as number,
      },
    };
  },
};

/**
 * Transfers: [transferId, toAccountNumber, amountCents, fromBalanceCents, toBalanceCents, reference?];
 * the accounts are the command's two streams, sender first.
 */
export const transferOutcomeCodec: OutcomeCodec<TransferResult, AccountRejection> = {
  encode(outcome) {
    if (outcome.status !== 'accepted') return outcome;
    const r = outcome.result;
    const stored: unknown[] = [r.transferId, r.toAccountNumber, r.amountCents, r.fromBalanceCents, r.toBalanceCents];
    return r.reference === undefined ? stored : [...stored, r.reference];
  },
  decode(stored, { streamIds }) {
    if (!Array.isArray(stored)) return stored as StoredOutcome<TransferResult, AccountRejection>;
    const [transferId, toAccountNumber, amountCents, fromBalanceCents, toBalanceCents, reference] = values(
      stored,
      ['string', 'string', 'number', 'number', 'number'],
      'transfer',
      true,
    );
    return {
      status: 'accepted',
      result: {
        transferId: transferId as string,
        fromAccountId: accountIdOf(streamIds[0]),
        toAccountId: accountIdOf(streamIds[1]),
        toAccountNumber: toAccountNumber as string,
        amountCents: amountCents as Cents,
        fromBalanceCents: fromBalanceCents as Cents,
        toBalanceCents: toBalanceCents as Cents,
        ...(reference === undefined ? {} : { reference: reference as string }),
      },
    };
  },
};

const CODECS: Record<string, OutcomeCodec<unknown, unknown>> = {
  OpenAccount: accountOutcomeCodec,
  DepositMoney: accountOutcomeCodec,
  WithdrawMoney: accountOutcomeCodec,
  TransferMoney: transferOutcomeCodec,
};

/** A command row's outcome as its replays answer it (for readers of the command log, such as the console). */
export function outcomeOfCommand(command: { type: string; streamIds: string[]; outcome: unknown }): unknown {
  const codec = CODECS[command.type];
  return codec ? codec.decode(command.outcome, command) : command.outcome;
}
