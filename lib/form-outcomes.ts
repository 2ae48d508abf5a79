import 'server-only';
import type { AccountCommandResult } from '@/lib/account-commands';
import { MAX_BALANCE_CENTS, type AccountRejection } from '@/lib/domain/account';
import { formatUsd } from '@/lib/domain/money';
import type { FormResult } from '@/lib/forms/schemas';

// The one place that turns a command's typed outcome into what a form shows.

export function rejectionMessage(rejection: AccountRejection): string {
  switch (rejection.code) {
    case 'InsufficientFunds':
      return `Insufficient funds: the balance is ${formatUsd(rejection.balanceCents)} and you asked to withdraw ${formatUsd(rejection.requestedCents)}.`;
    case 'AccountNotFound':
      return 'This account does not exist.';
    case 'AccountAlreadyOpen':
      return 'This account is already open.';
    case 'InvalidOwner':
      return rejection.reason;
    case 'InvalidAmount':
      return rejection.reason;
    case 'BalanceLimitExceeded':
      return `This would take the balance past the limit of ${formatUsd(MAX_BALANCE_CENTS)}.`;
    case 'SameAccount':
      return 'Choose a different account to transfer to.';
  }
}

export function toFormResult(outcome: AccountCommandResult, successVerb: (amount: string) => string): FormResult {
  switch (outcome.status) {
    case 'accepted': {
      const { result } = outcome;
      const note = outcome.replayed ? ' (This request had already been processed; it was recorded once.)' : '';
      return {
        status: 'success',
        message: `${successVerb(formatUsd(result.amountCents))} New balance: ${formatUsd(result.balanceCents)}.${note}`,
        replayed: outcome.replayed,
        accountId: result.accountId,
        balanceCents: result.balanceCents,
      };
    }
    case 'rejected':
      return { status: 'rejected', code: outcome.rejection.code, message: rejectionMessage(outcome.rejection) };
    case 'busy':
      return { status: 'busy', message: 'The account is busy with other requests. Please try again; it will not be applied twice.' };
    case 'key-reused':
      return { status: 'key-reused', message: 'This request id was already used for a different request. Please submit again.' };
  }
}
