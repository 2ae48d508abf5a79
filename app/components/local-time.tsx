'use client';

import { useHydrated } from '@/app/components/use-command-form';
import { clockTime, dateTimeLabel, utcLabel } from '@/app/components/local-dates';

/** The viewer's time zone (the browser's), known only after hydration. */
export const viewerTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * A moment as the viewer reads it ("Today, 11:08", or only "11:08" under a day heading). The server
 * and the first client render show UTC, the same on both sides (no hydration mismatch, and what a
 * page without JavaScript keeps); the browser then switches to its own zone. UTC stays in the tooltip.
 */
export function LocalTime({ iso, clockOnly = false }: { iso: string; clockOnly?: boolean }) {
  const hydrated = useHydrated();
  const date = new Date(iso);
  const utc = utcLabel(date);
  let text = clockOnly ? `${clockTime(date, 'UTC')} UTC` : utc;
  if (hydrated) {
    const zone = viewerTimeZone();
    text = clockOnly ? clockTime(date, zone) : dateTimeLabel(date, new Date(), zone);
  }
  return (
    <time dateTime={iso} title={utc}>
      {text}
    </time>
  );
}
