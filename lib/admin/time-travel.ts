import 'server-only';
import { accountEventOf } from '@/lib/accounts/stream';
import { evolve, initialState, type Account } from '@/lib/domain/account';
import type { RecordedEvent } from '@/lib/event-store/types';

export type StateAfter = { event: RecordedEvent; state: Account | null; error: string | null };

/**
 * The aggregate after each version of a stream: the decider's own `evolve`, folded one event at a
 * time, so the admin sees exactly what a command would have decided against at that version.
 * An event the code cannot read (unknown type, newer schema) stops the fold there.
 */
export function statesAfterEachEvent(streamId: string, events: RecordedEvent[]): StateAfter[] {
  if (!streamId.startsWith('account-')) return events.map((event) => ({ event, state: null, error: 'Not an account stream' }));
  let state: Account | null = initialState();
  let error: string | null = null;
  return events.map((event) => {
    if (state && !error) {
      try {
        state = evolve(state, accountEventOf(event));
      } catch (e) {
        state = null;
        error = e instanceof Error ? e.message : String(e);
      }
    }
    return { event, state, error };
  });
}
