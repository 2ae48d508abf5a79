import 'server-only';
import type { OpenAccount } from '@/lib/accounts/domain/account';
import type { AccountNumber } from '@/lib/accounts/domain/account-number';
import { writeConflictOf } from '@/lib/db/pg-errors';
import { handleAccountCommand, type AccountCommandResult, type HandleOptions } from './account-commands';
import { randomAccountNumber } from './ids';

/** The projection's unique constraint on account numbers (prisma/schema.prisma, AccountBalance). */
const ACCOUNT_NUMBER_CONSTRAINT = 'account_balances_account_number_key';
const ATTEMPTS = 5;

/**
 * Opens an account under a random number. Two openings that draw the same number cannot both
 * commit (the unique constraint on account_balances.account_number); the loser's transaction rolled
 * back whole, nothing of it was recorded, so it is decided again under a new number with the same
 * command id. A number is not part of the command's fingerprint, so a client's retry still replays.
 */
export async function openAccount(
  command: (accountNumber: AccountNumber) => OpenAccount,
  options: HandleOptions & { numbers?: () => AccountNumber } = {},
): Promise<AccountCommandResult> {
  const next = options.numbers ?? randomAccountNumber;
  for (let attempt = 1; ; attempt++) {
    try {
      return await handleAccountCommand(command(next()), options);
    } catch (error) {
      const conflict = writeConflictOf(error);
      if (attempt < ATTEMPTS && conflict?.kind === 'unique' && conflict.constraint === ACCOUNT_NUMBER_CONSTRAINT)
        continue;
      throw error;
    }
  }
}
