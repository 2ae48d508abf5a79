// Moving money between two accounts: one decision over two aggregates. The caller loads both
// streams and commits both sets of events in one unit of work, each at its expected version.
import {
  amountProblem,
  MAX_BALANCE_CENTS,
  ownershipProblem,
  type Account,
  type AccountEvent,
  type AccountRejection,
  type CommandMetadata,
} from './account';
import type { AccountId } from './account-id';
import type { Cents } from '@/lib/domain/money';

/** A payment reference: at most this many characters (code points), under the rules for names (lib/text). */
export const REFERENCE_MAX_LENGTH = 140;

export type TransferMoney = {
  type: 'TransferMoney';
  data: {
    transferId: string;
    fromAccountId: AccountId;
    toAccountId: AccountId;
    amountCents: Cents;
    /** The sender's payment reference, already checked and normalised at the boundary; absent when none was given. */
    reference?: string;
  };
  metadata: CommandMetadata;
};

export type TransferDecision =
  { ok: true; from: AccountEvent[]; to: AccountEvent[] } | { ok: false; rejection: AccountRejection };

export function decideTransfer({ data, metadata }: TransferMoney, from: Account, to: Account): TransferDecision {
  const reject = (rejection: AccountRejection): TransferDecision => ({ ok: false, rejection });
  // Ownership of the source first: to anyone else it is not there, whatever else is asked.
  const notYours = ownershipProblem(from, data.fromAccountId, metadata.customerId);
  if (notYours || from.status !== 'open')
    return reject(notYours ?? { code: 'AccountNotFound', accountId: data.fromAccountId });
  if (data.fromAccountId === data.toAccountId) return reject({ code: 'SameAccount', accountId: data.fromAccountId });
  if (to.status !== 'open') return reject({ code: 'AccountNotFound', accountId: data.toAccountId });
  const problem = amountProblem(data.amountCents, false);
  if (problem) return reject(problem);
  if (data.amountCents > from.balanceCents) {
    return reject({
      code: 'InsufficientFunds',
      accountId: data.fromAccountId,
      balanceCents: from.balanceCents,
      requestedCents: data.amountCents,
    });
  }
  if (to.balanceCents + data.amountCents > MAX_BALANCE_CENTS) {
    return reject({
      code: 'BalanceLimitExceeded',
      accountId: data.toAccountId,
      balanceCents: to.balanceCents,
      requestedCents: data.amountCents,
    });
  }
  const transferredAt = metadata.now.toISOString();
  const { transferId, amountCents } = data;
  // Only when given: events without a reference (all the older ones) stay what they were.
  const reference = data.reference ? { reference: data.reference } : {};
  return {
    ok: true,
    from: [
      {
        type: 'MoneyTransferredOut',
        data: {
          accountId: data.fromAccountId,
          transferId,
          toAccountId: data.toAccountId,
          amountCents,
          balanceAfterCents: from.balanceCents - amountCents,
          transferredAt,
          ...reference,
        },
      },
    ],
    to: [
      {
        type: 'MoneyTransferredIn',
        data: {
          accountId: data.toAccountId,
          transferId,
          fromAccountId: data.fromAccountId,
          amountCents,
          balanceAfterCents: to.balanceCents + amountCents,
          transferredAt,
          ...reference,
        },
      },
    ],
  };
}
