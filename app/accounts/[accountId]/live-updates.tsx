'use client';

import { useRouter } from 'next/navigation';
import { createContext, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { PageRendersContext } from '@/app/components/page-renders';
import { announcement } from '@/lib/live/announce';
import { PUBLIC_EVENT_TYPES } from '@/lib/public-events/public-event';

/** The history versions of incoming money that arrived while this page was open: "New" on it. */
export const LiveArrivalsContext = createContext<ReadonlySet<number>>(new Set());

/**
 * Keeps the account page current while it is open: it follows the account's event stream
 * (GET /api/accounts/{id}/events/stream, Server-Sent Events, from the version this page shows, so
 * nothing committed since its render is missed; the browser reconnects by itself with
 * Last-Event-ID), announces each event politely, and asks the server for the page again
 * (router.refresh: the balance and the history change in place, open dialogs and typed fields stay)
 * when an event is newer than what the page shows or is about to show. The page's own forms bring
 * their new render with their answer (PageRendersContext): the events of an action in flight wait
 * for its answer, and only what that render does not hold is asked for. Without JavaScript nothing
 * here runs and the page stays as it was rendered.
 */
export function LiveUpdates({
  accountId,
  version,
  children,
}: {
  accountId: string;
  /** The account's version this render shows. */
  version: number;
  children: ReactNode;
}) {
  const router = useRouter();
  const [message, setMessage] = useState<{ text: string; id: string } | null>(null);
  const [arrivals, setArrivals] = useState<ReadonlySet<number>>(() => new Set());
  // Versions: on screen, about to be (an action's answer, a refresh asked for), announced by the feed.
  const shown = useRef(version);
  const coming = useRef(0);
  const announced = useRef(0);
  const actions = useRef(0);
  useEffect(() => {
    shown.current = version;
  }, [version]);

  const settle = useCallback(() => {
    if (actions.current > 0 || announced.current <= Math.max(shown.current, coming.current)) return;
    coming.current = announced.current;
    router.refresh();
  }, [router]);

  const renders = useMemo(
    () => ({
      actionStarted: () => {
        actions.current++;
        let ended = false;
        return (brings: number | null) => {
          if (ended) return;
          ended = true;
          actions.current--;
          if (brings !== null) coming.current = Math.max(coming.current, brings);
          settle();
        };
      },
    }),
    [settle],
  );

  useEffect(() => {
    const source = new EventSource(
      `/api/accounts/${encodeURIComponent(accountId)}/events/stream?afterVersion=${shown.current}`,
    );
    const onEvent = (event: MessageEvent<string>) => {
      let version: unknown;
      try {
        const published = JSON.parse(event.data) as Parameters<typeof announcement>[0] & {
          data: { version?: unknown };
        };
        const text = announcement(published);
        if (text) setMessage({ text, id: event.lastEventId });
        version = published.data.version;
        if (published.type === 'transfer.received' && typeof version === 'number')
          setArrivals((seen) => new Set(seen).add(version as number));
      } catch {
        // Not an event this page understands: refreshed below all the same.
      }
      if (typeof version !== 'number') return router.refresh();
      announced.current = Math.max(announced.current, version);
      settle();
    };
    for (const type of PUBLIC_EVENT_TYPES) source.addEventListener(type, onEvent);
    return () => source.close();
  }, [accountId, router, settle]);

  return (
    <PageRendersContext value={renders}>
      <LiveArrivalsContext value={arrivals}>
        <div className="live-region" aria-live="polite" role="status" data-testid="live-announcement">
          {message ? (
            <p key={message.id} className="status status-success live-message">
              {message.text}
            </p>
          ) : null}
        </div>
        {children}
      </LiveArrivalsContext>
    </PageRendersContext>
  );
}
