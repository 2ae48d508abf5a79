// The public form of a standing order's outcomes: `standing_order.paid` and `standing_order.refused`
// (the webhook types of standing orders). Beside ./public-event.ts rather than in it: those events
// are about an account stream's version and balance, these about an order's due day. The same rules:
// decimal amounts, accounts by number, the other side masked, one event id per stored event. Pure:
// the caller supplies the order (its StandingOrderCreated data) and the account directory.
import { formatDecimal } from '@/lib/domain/money';
import { maskName } from '@/lib/domain/mask-name';
import {
  PUBLIC_EVENT_SCHEMA_VERSION,
  publicEventId,
  type AccountDirectory,
  type Counterparty,
  type LoggedEvent,
} from './public-event';

export const STANDING_ORDER_PUBLIC_TYPES = ['standing_order.paid', 'standing_order.refused'] as const;
type StandingOrderPublicType = (typeof STANDING_ORDER_PUBLIC_TYPES)[number];

/** What the mapping needs of the order: its StandingOrderCreated data. */
export type OrderFacts = { standingOrderId: string; fromAccountId: string; toAccountId: string; amountCents: number };

export type StandingOrderPublicEvent = {
  type: StandingOrderPublicType;
  timestamp: string;
  data: {
    schemaVersion: typeof PUBLIC_EVENT_SCHEMA_VERSION;
    eventId: string;
    standingOrderId: string;
    /** The paying account (the owner's), by id and number. */
    accountId: string;
    accountNumber: string;
    /** The payment's due day, YYYY-MM-DD. */
    dueOn: string;
    amount: string;
    currency: 'USD';
    at: string;
    to: Counterparty;
    /** paid: the transfer's command id (the owner's order issued it). */
    commandId?: string;
    /** refused: why, after the retry the next day. */
    reason?: string;
  };
};

/** The public event of a standing-order event, or null for the steps that are not published. */
export function toStandingOrderPublicEvent(
  event: LoggedEvent,
  order: OrderFacts,
  directory: AccountDirectory,
): StandingOrderPublicEvent | null {
  const type =
    event.type === 'OccurrencePaid'
      ? 'standing_order.paid'
      : event.type === 'OccurrenceRefused'
        ? 'standing_order.refused'
        : null;
  if (!type) return null;
  const data = event.data as { dueOn: string; transferCommandId?: string; reason?: string };
  const from = directory.get(order.fromAccountId);
  const to = directory.get(order.toAccountId);
  if (!from || !to)
    throw new Error(`Standing order ${order.standingOrderId}: an account is missing from the directory`);
  return {
    type,
    timestamp: event.createdAt.toISOString(),
    data: {
      schemaVersion: PUBLIC_EVENT_SCHEMA_VERSION,
      eventId: publicEventId(event.streamId, event.version),
      standingOrderId: order.standingOrderId,
      accountId: order.fromAccountId,
      accountNumber: from.accountNumber,
      dueOn: data.dueOn,
      amount: formatDecimal(order.amountCents),
      currency: 'USD',
      at: event.createdAt.toISOString(),
      to: { name: maskName(to.owner), accountNumber: to.accountNumber },
      ...(type === 'standing_order.paid' ? { commandId: data.transferCommandId } : { reason: data.reason }),
    },
  };
}
