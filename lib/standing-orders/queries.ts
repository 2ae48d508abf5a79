import 'server-only';
import { db } from '@/lib/db/prisma';
import { versionsWrittenBy } from '@/lib/accounts/transaction-page';
import type { Every } from '@/lib/standing-orders/domain/schedule';

// Read side of standing orders: the inline projections, always for one customer's own account.

export type OccurrenceView = {
  dueOn: string;
  status: 'paid' | 'refused' | 'pending';
  /** The transfer's command id, when paid. */
  commandId: string | null;
  reason: string | null;
  retryOn: string | null;
};

export type StandingOrderView = {
  id: string;
  fromAccountId: string;
  toAccountNumber: string;
  amountCents: number;
  every: Every;
  firstPaymentOn: string;
  status: 'active' | 'cancelled';
  nextPaymentOn: string | null;
  lastOutcome: { dueOn: string; outcome: string } | null;
  createdAt: Date;
  occurrences: OccurrenceView[];
};

/** How many occurrences a view lists (the latest ones). */
const OCCURRENCES_SHOWN = 100;

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** The standing orders paying from one of the customer's accounts, newest first; someone else's account has none. */
export async function standingOrdersOf(customerId: string, accountId: string): Promise<StandingOrderView[]> {
  const orders = await db().standingOrder.findMany({
    where: { customerId, fromAccountId: accountId },
    orderBy: [{ createdAt: 'desc' }, { standingOrderId: 'asc' }],
    take: 100,
  });
  const occurrences = await db().standingOrderOccurrence.findMany({
    where: { standingOrderId: { in: orders.map((o) => o.standingOrderId) } },
    orderBy: [{ dueOn: 'desc' }],
  });
  return orders.map((o) => {
    const own = occurrences.filter((x) => x.standingOrderId === o.standingOrderId).slice(0, OCCURRENCES_SHOWN);
    const listed: OccurrenceView[] = own.reverse().map((x) => ({
      dueOn: day(x.dueOn)!,
      status: x.status as OccurrenceView['status'],
      commandId: x.status === 'paid' ? x.transferCommandId : null,
      reason: x.reason,
      retryOn: day(x.retryOn),
    }));
    const next = day(o.nextDueOn);
    // The next payment is pending too, before it has started.
    if (o.status === 'active' && next && !listed.some((x) => x.dueOn === next))
      listed.push({ dueOn: next, status: 'pending', commandId: null, reason: null, retryOn: null });
    return {
      id: o.standingOrderId,
      fromAccountId: o.fromAccountId,
      toAccountNumber: o.toAccountNumber,
      amountCents: Number(o.amountCents),
      every: o.every as Every,
      firstPaymentOn: day(o.firstPaymentOn)!,
      status: o.status as StandingOrderView['status'],
      nextPaymentOn: o.status === 'active' ? day(o.nextAttemptOn) : null,
      lastOutcome: o.lastOutcome && o.lastDueOn ? { dueOn: day(o.lastDueOn)!, outcome: o.lastOutcome } : null,
      createdAt: o.createdAt,
      occurrences: listed,
    };
  });
}

/** The stream version of each paid occurrence's transfer in the paying account (for a link to it in the history). */
export const transferVersions = (accountId: string, commandIds: string[]): Promise<Map<string, number>> =>
  versionsWrittenBy(accountId, commandIds);
