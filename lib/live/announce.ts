// What the account page says, politely, when an event arrives on its live feed: one short sentence
// in the customer's terms, from the public event (lib/public-events). Pure: the browser bundles it.
import { formatUsd, parseAmount } from '@/lib/domain/money';

type Announced = {
  type: string;
  data: { amount?: unknown; from?: { name?: unknown }; to?: { name?: unknown } };
};

/** "12.50" → "$12.50"; null for anything that is not a decimal amount. */
function usd(amount: unknown): string | null {
  if (typeof amount !== 'string') return null;
  const parsed = parseAmount(amount, { allowZero: true, allowGrouping: false });
  return parsed.ok ? formatUsd(parsed.cents) : null;
}

const nameOf = (side: { name?: unknown } | undefined) =>
  typeof side?.name === 'string' ? side.name : 'another account';

/** "Received $5.00 from G. H*****", "Sent $5.00 to G. H*****", "Deposited $5.00", "Withdrew $5.00"; null for the rest. */
export function announcement(event: Announced): string | null {
  const amount = usd(event.data.amount);
  if (!amount) return null;
  switch (event.type) {
    case 'transfer.received':
      return `Received ${amount} from ${nameOf(event.data.from)}`;
    case 'transfer.sent':
      return `Sent ${amount} to ${nameOf(event.data.to)}`;
    case 'money.deposited':
      return `Deposited ${amount}`;
    case 'money.withdrawn':
      return `Withdrew ${amount}`;
    default:
      return null;
  }
}
