import 'server-only';
import { createHash } from 'node:crypto';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import type { AccountRejection } from '@/lib/accounts/domain/account';
import { submitScheduledTransfer } from '@/lib/accounts/submit-transfer';
import type { RefusalReason, StandingOrder } from '@/lib/standing-orders/domain/standing-order';
import { dayOf } from '@/lib/standing-orders/domain/schedule';
import type { Db } from '@/lib/db/prisma';
import { handleStandingOrderCommand } from './commands';

// One payment of a standing order, issued by a process instead of a person. Every id is derived
// from the order's id and the due day, so every instance that tries the same step, any number of
// times, sends the same command: the engine records it once and replays it to the others.

type Attempt = 1 | 2;

/** The transfer's command id: the order and the due day (a retry the next day is its own transfer command). */
export const transferCommandIdOf = (standingOrderId: string, dueOn: string, attempt: Attempt) =>
  `standing-order:${standingOrderId}:${dueOn}${attempt === 2 ? ':retry' : ''}`;

const stepCommandId = (standingOrderId: string, dueOn: string, attempt: Attempt, step: 'start' | 'outcome') =>
  `standing-order:${standingOrderId}:${dueOn}:${attempt}:${step}`;

/** A transfer id as a UUID, made from the command id: the same on every instance and every retry. */
function transferIdOf(commandId: string): string {
  const h = createHash('sha256').update(commandId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function refusalReasonOf(rejection: AccountRejection): RefusalReason {
  switch (rejection.code) {
    case 'InsufficientFunds':
      return 'insufficient-funds';
    case 'BalanceLimitExceeded':
      return 'balance-limit';
    case 'InvalidAmount':
      return 'invalid-amount';
    case 'AccountNotFound':
    case 'NotOwner':
    case 'AccountAlreadyOpen':
    case 'InvalidOwner':
    case 'SameAccount':
      return 'account-closed';
  }
}

export type Order = Exclude<StandingOrder, { status: 'none' }>;
/**
 * What one step did. `limited`: the payment waits, running, because its customer has sent the payee's
 * account its hourly share of transfers (IDEM_INBOUND_TRANSFERS_PER_HOUR); a later look pays it.
 */
export type StepOutcome = 'started' | 'paid' | 'refused' | 'retry-scheduled' | 'idle' | 'busy' | 'limited';

/**
 * Takes the order one step further at `now`: records the start of the next due payment, or runs
 * the running one's transfer and records its outcome. Answers the order after the step (as the
 * store says: a replayed step answers what was recorded) and what happened.
 */
export async function advance(order: Order, now: Date, db: Db): Promise<{ order: Order; step: StepOutcome }> {
  const id = order.standingOrderId;
  const metadata = (commandId: string) => ({ commandId, now, customerId: order.customerId });
  const running = order.running;
  if (running) {
    const { dueOn, attempt, transferCommandId } = running;
    // The customer's transfer under the form's and the API's hourly limit into one account, so
    // standing orders cannot flood a payee's history either (submitScheduledTransfer). Over the
    // limit nothing is recorded and the payment stays running: a later look pays it.
    const transfer = await submitScheduledTransfer(
      {
        type: 'TransferMoney',
        data: {
          transferId: transferIdOf(transferCommandId),
          fromAccountId: order.fromAccountId as AccountId,
          toAccountId: order.toAccountId as AccountId,
          amountCents: order.amountCents,
        },
        metadata: metadata(transferCommandId),
      },
      { db },
    );
    if (transfer.status === 'busy') return { order, step: 'busy' };
    if (transfer.status === 'inbound-limited') return { order, step: 'limited' };
    if (transfer.status === 'key-reused')
      throw new Error(
        `standing order ${id}: transfer command ${transferCommandId} was used for ${transfer.originalType}`,
      );
    const outcome =
      transfer.status === 'accepted'
        ? ({ outcome: 'paid', transferCommandId } as const)
        : ({ outcome: 'refused', reason: refusalReasonOf(transfer.rejection) } as const);
    const recorded = await handleStandingOrderCommand(
      {
        type: 'RecordOccurrenceOutcome',
        data: { standingOrderId: id, dueOn, attempt, ...outcome },
        metadata: metadata(stepCommandId(id, dueOn, attempt, 'outcome')),
      },
      { db },
    );
    if (recorded.status !== 'accepted') return { order, step: recorded.status === 'busy' ? 'busy' : 'idle' };
    const last = recorded.result.order.lastOutcome?.outcome;
    return { order: recorded.result.order, step: last ?? 'idle' };
  }
  const next = order.next;
  if (order.status !== 'active' || !next || next.attemptOn > dayOf(now.toISOString())) return { order, step: 'idle' };
  const started = await handleStandingOrderCommand(
    {
      type: 'StartOccurrence',
      data: {
        standingOrderId: id,
        dueOn: next.dueOn,
        attempt: next.attempt,
        transferCommandId: transferCommandIdOf(id, next.dueOn, next.attempt),
      },
      metadata: metadata(stepCommandId(id, next.dueOn, next.attempt, 'start')),
    },
    { db },
  );
  if (started.status !== 'accepted') return { order, step: started.status === 'busy' ? 'busy' : 'idle' };
  return { order: started.result.order, step: 'started' };
}
