// Invariants of ownership: a customer's command moves money only out of, or into by
// deposit, accounts that customer owns. Command ids of customers are "<customer id>:<key>"
// (lib/accounts/ids.ts); bare ids predate customers and are not checked here.
import { violation, type Ledger } from './ledger';

/** The events a command writes on the acting customer's side; a transfer-in lands in anyone's account. */
const SOURCE_SIDE = new Set(['AccountOpened', 'MoneyDeposited', 'MoneyWithdrawn', 'MoneyTransferredOut']);

/** The customer a command id is scoped to, or null for a bare (pre-customer) id. */
const customerOfCommand = (commandId: string): string | null => {
  const colon = commandId.indexOf(':');
  return colon > 0 ? commandId.slice(0, colon) : null;
};

/** A standing order's commands ("standing-order:<order id>:…") act for the order's owner. */
function standingOrderOwner(streams: Ledger['streams'], commandId: string): string | null {
  const match = /^standing-order:([0-9a-f-]{36}):/.exec(commandId);
  if (!match) return null;
  const created = streams.get(`standingorder-${match[1]}`)?.find((e) => e.type === 'StandingOrderCreated');
  return created?.data.customerId ?? 'an unknown standing order';
}

/** [stream-owner] every source-side event of a customer's command is in an account that customer opened (AccountOpened.customerId). */
export function eventStreamsBelongToCommandCustomer({ streams, events }: Ledger): string[] {
  const found: string[] = [];
  for (const event of events) {
    const customer = standingOrderOwner(streams, event.command_id) ?? customerOfCommand(event.command_id);
    if (customer === null || !SOURCE_SIDE.has(event.type)) continue;
    const opened = streams.get(event.stream_id)?.find((e) => e.type === 'AccountOpened');
    const owner = opened?.data.customerId ?? null;
    if (owner !== customer) {
      found.push(
        violation(
          'stream-owner',
          `${event.type} v${event.version} in ${event.stream_id} by command ${event.command_id}: the stream belongs to ${owner ?? 'nobody'}, not ${customer}`,
        ),
      );
    }
  }
  return found;
}
