// The one entry point for "what leaves the building" of any logged event: account events as
// ./public-event.ts maps them, a standing order's outcomes as ./standing-order-event.ts maps them,
// null for the rest (internal steps: a standing order's creation, start, retry, cancellation).
// Webhooks (fan-out, replay) and the JetStream relay read through it. `publicFormOf` is pure;
// `publicFormsOf` loads what a batch needs (the account directory, the orders' facts) in one query each.
import type pg from 'pg';
import { loadAccountDirectory } from './account-directory';
import {
  PUBLIC_EVENT_TYPES,
  publicTypeOf,
  toPublicEvent,
  type AccountDirectory,
  type LoggedEvent,
  type PublicEvent,
} from './public-event';
import {
  STANDING_ORDER_PUBLIC_TYPES,
  toStandingOrderPublicEvent,
  type OrderFacts,
  type StandingOrderPublicEvent,
} from './standing-order-event';

/** Every type an endpoint may subscribe to (account events, then standing-order outcomes). */
export const PUBLISHED_EVENT_TYPES = [...PUBLIC_EVENT_TYPES, ...STANDING_ORDER_PUBLIC_TYPES] as const;

/** Either public form; both carry `data.accountId`, the account whose owner may see it (the paying one for an order). */
export type AnyPublicEvent = PublicEvent | StandingOrderPublicEvent;

/** Standing orders by id: what their public events need. */
export type OrderDirectory = ReadonlyMap<string, OrderFacts>;

const OUTCOMES: readonly string[] = ['OccurrencePaid', 'OccurrenceRefused'];
const STREAM_PREFIX = 'standingorder-';

const isOrderOutcome = (event: Pick<LoggedEvent, 'streamId' | 'type'>): boolean =>
  event.streamId.startsWith(STREAM_PREFIX) && OUTCOMES.includes(event.type);

const orderIdOf = (event: Pick<LoggedEvent, 'streamId'>): string => event.streamId.slice(STREAM_PREFIX.length);

/** Whether an event has a public form, from its stream and type alone (what the relay publishes). */
export const hasPublicForm = (event: Pick<LoggedEvent, 'streamId' | 'type'>): boolean =>
  event.streamId.startsWith(STREAM_PREFIX) ? isOrderOutcome(event) : publicTypeOf(event.type) !== null;

/**
 * The public form of one logged event, or null when it has none. Throws when a directory lacks what
 * the event needs (the caller loads both with `publicFormsOf`).
 */
export function publicFormOf(
  event: LoggedEvent,
  directory: AccountDirectory,
  orders: OrderDirectory,
): AnyPublicEvent | null {
  if (event.streamId.startsWith(STREAM_PREFIX)) {
    if (!isOrderOutcome(event)) return null;
    const order = orders.get(orderIdOf(event));
    if (!order) throw new Error(`Standing order ${orderIdOf(event)} is missing from the order directory`);
    return toStandingOrderPublicEvent(event, order, directory);
  }
  return toPublicEvent(event, directory);
}

/** The facts of the orders whose outcomes are in `events`, from the standing_orders projection (inline: written with the events). */
async function loadOrderFacts(
  client: pg.ClientBase,
  events: Pick<LoggedEvent, 'streamId' | 'type'>[],
): Promise<OrderDirectory> {
  const ids = [...new Set(events.filter(isOrderOutcome).map(orderIdOf))];
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<OrderFacts & { amountCents: string | number }>(
    `SELECT standing_order_id::text AS "standingOrderId", from_account_id::text AS "fromAccountId",
            to_account_id::text AS "toAccountId", amount_cents AS "amountCents"
       FROM standing_orders WHERE standing_order_id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row.standingOrderId, { ...row, amountCents: Number(row.amountCents) }]));
}

export type PublicForms = {
  /** One entry per event, in order: its public form or null. */
  forms: (AnyPublicEvent | null)[];
  /** Every account the forms name (owners included). */
  directory: AccountDirectory;
};

/** The public forms of a batch of logged events: two queries at most, whatever the batch. */
export async function publicFormsOf(client: pg.ClientBase, events: LoggedEvent[]): Promise<PublicForms> {
  const orders = await loadOrderFacts(client, events);
  const orderAccounts = [...orders.values()].flatMap((order) => [order.fromAccountId, order.toAccountId]);
  const directory = await loadAccountDirectory(client, events, orderAccounts);
  return { forms: events.map((event) => publicFormOf(event, directory, orders)), directory };
}
