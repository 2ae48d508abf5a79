import 'server-only';
import type { AccountResult } from '@/lib/accounts/account-commands';
import type { CommandResult } from '@/lib/event-store';
import type { TransferResult } from '@/lib/accounts/transfer-command';
import { MAX_BALANCE_CENTS, type AccountRejection } from '@/lib/accounts/domain/account';
import { formatUsd } from '@/lib/domain/money';
import type { FormResult } from '@/lib/accounts/form-schemas';

// The one place that turns a command's typed outcome into what a form shows.

function rejectionMessage(rejection: AccountRejection): string {
  switch (rejection.code) {
    case 'InsufficientFunds':
      return `Insufficient funds: the balance is ${formatUsd(rejection.balanceCents)}, less than the ${formatUsd(rejection.requestedCents)} requested.`;
    case 'AccountNotFound':
    case 'NotOwner':
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

type Confirmation = { message: string; accountId: string; balanceCents: number };

export function toFormResult<Result>(
  outcome: CommandResult<Result, AccountRejection>,
  confirm: (result: Result) => Confirmation,
): FormResult {
  switch (outcome.status) {
    case 'accepted': {
      const { message, accountId, balanceCents } = confirm(outcome.result);
      const note = outcome.replayed ? ' (This request had already been processed; it was recorded once.)' : '';
      return { status: 'success', message: `${message}${note}`, replayed: outcome.replayed, accountId, balanceCents };
    }
    case 'rejected':
      // Someone else's account answers, code included, exactly like an unknown one (no existence leak).
      return {
        status: 'rejected',
        code: outcome.rejection.code === 'NotOwner' ? 'AccountNotFound' : outcome.rejection.code,
        message: rejectionMessage(outcome.rejection),
      };
    case 'busy':
      return {
        status: 'busy',
        message: 'The account is busy with other requests. Please try again; it will not be applied twice.',
      };
    case 'key-reused':
      return {
        status: 'key-reused',
        message: 'This request id was already used for a different request. Please submit again.',
      };
  }
}

/** "Withdrew $40.00 · new balance $1,210.00": what happened, then where it left the account. */
export const accountConfirmation =
  (verb: string) =>
  (result: AccountResult): Confirmation => ({
    message: `${verb} ${formatUsd(result.amountCents)} · new balance ${formatUsd(result.balanceCents)}`,
    accountId: result.accountId,
    balanceCents: result.balanceCents,
  });

/** "Sent $30.00 to A. L***** · new balance $70.00" */
export const transferConfirmation =
  (maskedName: string) =>
  (result: TransferResult): Confirmation => ({
    message: `Sent ${formatUsd(result.amountCents)} to ${maskedName} · new balance ${formatUsd(result.fromBalanceCents)}`,
    accountId: result.fromAccountId,
    balanceCents: result.fromBalanceCents,
  });
