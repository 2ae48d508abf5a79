'use client';

import { useRouter } from 'next/navigation';
import { createContext, use, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { PageRendersContext, type ActionAnswer } from '@/app/components/page-renders';
import type { AccountUpdate } from '@/lib/accounts/history-update';
import { formatUsd } from '@/lib/domain/money';
import { announcement } from '@/lib/live/announce';
import { PUBLIC_EVENT_TYPES } from '@/lib/public-events/public-event';

/** The history versions of incoming money that arrived while this page was open: "New" on it. */
export const LiveArrivalsContext = createContext<ReadonlySet<number>>(new Set());

/**
 * What the page's own actions changed since the server rendered it (lib/accounts/history-update.ts):
 * contiguous updates past the render's version, the last one what the page shows now. Read by the
 * balance, the history and the forms.
 */
export const AccountUpdatesContext = createContext<{ version: number; updates: readonly AccountUpdate[] }>({
  version: 0,
  updates: [],
});

const LiveMessageContext = createContext<{ text: string; id: string } | null>(null);

/** The balance the page shows: the render's, or the one the page's latest own action left. */
export function LiveBalance({ cents }: { cents: number }) {
  const last = use(AccountUpdatesContext).updates.at(-1);
  return formatUsd(last ? last.balanceCents : cents);
}

/** Where the live feed's announcements are read out and shown. */
export function LiveAnnouncement() {
  const message = use(LiveMessageContext);
  return (
    <div className="live-region" aria-live="polite" role="status" data-testid="live-announcement">
      {message ? (
        <p key={message.id} className="status status-success live-message">
          {message.text}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Keeps the account page current while it is open: it follows the account's event stream
 * (GET /api/accounts/{id}/events/stream, Server-Sent Events, from the version this page shows, so
 * nothing committed since its render is missed; the browser reconnects by itself with
 * Last-Event-ID), announces each event politely (LiveAnnouncement), and asks the server for the page
 * again (router.refresh: the balance and the history change in place, open dialogs and typed fields
 * stay) when an event is newer than what the page shows or is about to show.
 *
 * The page's own forms bring their change with their answer (PageRendersContext): a deposit or a
 * withdrawal its update (the balance and the row its command wrote, shown at once when it follows
 * what the page shows, else the page is asked for), anything else the page rendered with it. The
 * events of an action in flight wait for its answer; only what it does not hold is asked for.
 * Without JavaScript nothing here runs and the page stays as it was rendered.
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
  const [applied, setApplied] = useState<readonly AccountUpdate[]>([]);
  // What the render does not show yet; a render that holds an update replaces it.
  const updates = useMemo(() => applied.filter((u) => u.version > version), [applied, version]);
  const current = updates.at(-1)?.version ?? version;
  // Versions: on screen, about to be (an action's answer, a refresh asked for), announced by the feed.
  const rendered = useRef(version);
  const shown = useRef(current);
  const coming = useRef(0);
  const announced = useRef(0);
  const actions = useRef(0);
  useEffect(() => {
    rendered.current = version;
    shown.current = current;
  }, [version, current]);

  const settle = useCallback(() => {
    if (actions.current > 0 || announced.current <= Math.max(shown.current, coming.current)) return;
    coming.current = announced.current;
    router.refresh();
  }, [router]);

  const renders = useMemo(
    () => ({
      takesUpdates: true,
      actionStarted: () => {
        actions.current++;
        let ended = false;
        return ({ brings, update }: ActionAnswer) => {
          if (ended) return;
          ended = true;
          actions.current--;
          if (update && update.version === shown.current + 1) {
            shown.current = update.version;
            setApplied((list) => [...list.filter((u) => u.version > rendered.current), update]);
          } else if (update) {
            // Something else happened in between: the page, with both, is asked for.
            announced.current = Math.max(announced.current, update.version);
          } else if (brings !== null) coming.current = Math.max(coming.current, brings);
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

  const live = useMemo(() => ({ version: current, updates }), [current, updates]);
  return (
    <PageRendersContext value={renders}>
      <AccountUpdatesContext value={live}>
        <LiveArrivalsContext value={arrivals}>
          <LiveMessageContext value={message}>{children}</LiveMessageContext>
        </LiveArrivalsContext>
      </AccountUpdatesContext>
    </PageRendersContext>
  );
}
