import type { Cents } from '@/lib/domain/money';

// What an accepted account command answers (lib/accounts/account-commands.ts, transfer-command.ts),
// and what its stored outcome gives back (./outcome-codecs.ts).

export type AccountResult = {
  accountId: string;
  accountNumber: string;
  owner: string;
  /** The amount this command moved (the opening deposit for OpenAccount). */
  amountCents: Cents;
  balanceCents: Cents;
  version: number;
};

export type TransferResult = {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  toAccountNumber: string;
  amountCents: Cents;
  fromBalanceCents: Cents;
  toBalanceCents: Cents;
  /** The payment reference, when the sender gave one. */
  reference?: string;
};
