import 'server-only';
import type pg from 'pg';
import { log } from '@/lib/observability/log';

// After a commit that appended events, every instance's live hub (./hub.ts) is told to read the
// log: NOTIFY idem_events, sent by the instance that committed, after the commit and outside it.
// Inside it (the trigger this replaces: migration 20261207130000_live_wakeup_after_commit) the
// notification lock PostgreSQL holds through a notifying transaction's commit flush made every
// appending commit wait for the previous one's. Here the NOTIFY is a transaction of its own that
// writes nothing, and the commits of 20 ms share one (under load at most 50 a second per instance,
// each a statement of the request pool). Empty, like before: a hub reads
// the log itself and polls it every second, so a wake-up never sent only delays an event.

/** The channel the hubs listen on. */
export const LIVE_CHANNEL = 'idem_events';

/** How long commits gather before one wake-up goes out (ms): the delay it adds to the live feed. */
export const WAKE_WINDOW_MS = 20;

export type LiveWaker = { eventsCommitted: () => void };

export function liveWaker(pool: () => pg.Pool, windowMs = WAKE_WINDOW_MS): LiveWaker {
  let due: NodeJS.Timeout | null = null;
  const send = () => {
    due = null;
    pool()
      .query(`SELECT pg_notify('${LIVE_CHANNEL}', '')`)
      .catch((error: unknown) =>
        log().debug(
          { component: 'live', err: { message: error instanceof Error ? error.message : String(error) } },
          'live wake-up not sent (the hubs poll)',
        ),
      );
  };
  return {
    eventsCommitted() {
      due ??= setTimeout(send, windowMs);
    },
  };
}
