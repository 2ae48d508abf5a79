import 'server-only';
import { accountEventOf } from '@/lib/accounts/stream';
import { evolve, initialState, type Account } from '@/lib/accounts/domain/account';
import type { RecordedEvent } from '@/lib/event-store';

export type StateAfter = { event: RecordedEvent; before: Account | null; state: Account | null; error: string | null };

/**
 * The aggregate before and after each version of a stream: the decider's own `evolve`, folded one
 * event at a time, so the admin sees exactly what a command would have decided against at that
 * version. An event the code cannot read (unknown type, newer schema) stops the fold there.
 */
export function statesAfterEachEvent(streamId: string, events: RecordedEvent[]): StateAfter[] {
  if (!streamId.startsWith('account-'))
    return events.map((event) => ({ event, before: null, state: null, error: 'Not an account stream' }));
  let state: Account | null = initialState();
  let error: string | null = null;
  return events.map((event) => {
    const before = state;
    if (state && !error) {
      try {
        state = evolve(state, accountEventOf(event));
      } catch (e) {
        state = null;
        error = e instanceof Error ? e.message : String(e);
      }
    }
    return { event, before, state, error };
  });
}

/** Where to stand in a stream: after a version, or at a moment (the last event recorded by then). */
export type TravelPoint = { version: number } | { moment: Date };

/** The row a point lands on; null when the point is before the stream's first event. */
export function stateAt(rows: StateAfter[], point: TravelPoint): StateAfter | null {
  const reached = rows.filter(({ event }) =>
    'version' in point ? event.version <= point.version : event.createdAt.getTime() <= point.moment.getTime(),
  );
  return reached.at(-1) ?? null;
}

export type StateField = 'status' | 'accountNumber' | 'owner' | 'customerId' | 'balanceCents' | 'openedAt';
export type FieldChange = { field: StateField; before: string | number | null; after: string | number | null };

const FIELDS: StateField[] = ['status', 'accountNumber', 'owner', 'customerId', 'balanceCents', 'openedAt'];

const valueOf = (state: Account | null, field: StateField): string | number | null => {
  if (!state) return null;
  if (field === 'status') return state.status;
  return state.status === 'open' ? state[field] : null;
};

/** What one event changed in the aggregate, field by field (unchanged fields are left out). */
export function changesBetween(before: Account | null, after: Account | null): FieldChange[] {
  return FIELDS.flatMap((field) => {
    const [b, a] = [valueOf(before, field), valueOf(after, field)];
    return b === a ? [] : [{ field, before: b, after: a }];
  });
}
