'use client';

import { useRouter } from 'next/navigation';
import { createContext, useEffect, useState, type ReactNode } from 'react';
import { announcement } from '@/lib/live/announce';
import { PUBLIC_EVENT_TYPES } from '@/lib/public-events/public-event';

/** The history versions of incoming money that arrived while this page was open: "New" on it. */
export const LiveArrivalsContext = createContext<ReadonlySet<number>>(new Set());

/**
 * Keeps the account page current while it is open: it follows the account's event stream
 * (GET /api/accounts/{id}/events/stream, Server-Sent Events; the browser reconnects by itself with
 * Last-Event-ID), and on each event asks the server for the page again (router.refresh: the balance
 * and the history change in place, open dialogs and typed fields stay) and announces the event
 * politely. Without JavaScript nothing here runs and the page stays as it was rendered.
 */
export function LiveUpdates({ accountId, children }: { accountId: string; children: ReactNode }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ text: string; id: string } | null>(null);
  const [arrivals, setArrivals] = useState<ReadonlySet<number>>(() => new Set());

  useEffect(() => {
    const source = new EventSource(`/api/accounts/${encodeURIComponent(accountId)}/events/stream`);
    const onEvent = (event: MessageEvent<string>) => {
      try {
        const published = JSON.parse(event.data) as Parameters<typeof announcement>[0] & {
          data: { version?: unknown };
        };
        const text = announcement(published);
        if (text) setMessage({ text, id: event.lastEventId });
        const version = published.data.version;
        if (published.type === 'transfer.received' && typeof version === 'number')
          setArrivals((seen) => new Set(seen).add(version));
      } catch {
        // Not an event this page understands: the refresh below still shows it.
      }
      router.refresh();
    };
    // Whatever committed between the page's render and this (re)connection is fetched too.
    const onOpen = () => router.refresh();
    source.addEventListener('open', onOpen);
    for (const type of PUBLIC_EVENT_TYPES) source.addEventListener(type, onEvent);
    return () => source.close();
  }, [accountId, router]);

  return (
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
  );
}
