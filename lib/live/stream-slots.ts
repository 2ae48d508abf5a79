import 'server-only';
import { singleton } from '@/lib/singleton';

// The cap on open event streams per customer, counted on this instance (each stream holds a
// connection and a subscription here; nothing is shared between instances for it). Two tabs of
// the account page and a script's stream fit the default; a client that leaks streams gets 429.

const open = () => singleton('liveStreamSlots', () => new Map<string, number>());

/** Takes one of the customer's slots; null when all `cap` are taken. The returned release is idempotent. */
export function takeStreamSlot(customerId: string, cap: number): (() => void) | null {
  const counts = open();
  const held = counts.get(customerId) ?? 0;
  if (held >= cap) return null;
  counts.set(customerId, held + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const now = (counts.get(customerId) ?? 1) - 1;
    if (now <= 0) counts.delete(customerId);
    else counts.set(customerId, now);
  };
}
