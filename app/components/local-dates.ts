// Dates as people read them: in the viewer's time zone, relative to today ("Today, 11:08"). The
// server does not know the viewer's zone, so pages render UTC, stated as such, and the browser
// switches to its own zone after hydration (app/components/local-time.tsx). English, 24-hour.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let existing = formatters.get(key);
  if (!existing) {
    existing = new Intl.DateTimeFormat('en-GB', { timeZone, ...options });
    formatters.set(key, existing);
  }
  return existing;
}

/** "2026-11-30": the calendar day of `date` in `timeZone` (for grouping). */
export function dayKey(date: Date, timeZone: string): string {
  const parts = formatter(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Whole days from b's calendar day to a's, both read in `timeZone`. */
function daysBetween(a: Date, b: Date, timeZone: string): number {
  const utcNoon = (key: string) => Date.parse(`${key}T12:00:00Z`);
  return Math.round((utcNoon(dayKey(a, timeZone)) - utcNoon(dayKey(b, timeZone))) / 86_400_000);
}

/** "11:08" */
export function clockTime(date: Date, timeZone: string): string {
  return formatter(timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
}

/** "Today", "Yesterday", "Monday 28 November", "Friday 28 November 2025". */
export function dayLabel(date: Date, now: Date, timeZone: string): string {
  const days = daysBetween(now, date, timeZone);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const sameYear = dayKey(date, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return formatter(timeZone, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  })
    .format(date)
    .replace(',', '');
}

/** "Today, 11:08", "Yesterday, 09:12", "28 Nov, 11:08", "28 Nov 2025, 11:08". */
export function dateTimeLabel(date: Date, now: Date, timeZone: string): string {
  const days = daysBetween(now, date, timeZone);
  const time = clockTime(date, timeZone);
  if (days === 0) return `Today, ${time}`;
  if (days === 1) return `Yesterday, ${time}`;
  const sameYear = dayKey(date, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return `${formatter(timeZone, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) }).format(date)}, ${time}`;
}

/** "2026-11-30 11:08 UTC": the same everywhere, so it is what the server renders and the tooltip shows. */
export function utcLabel(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "Monday 30 November 2026 (UTC)": a day heading before the viewer's zone is known. */
export function utcDayLabel(date: Date): string {
  return `${formatter('UTC', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(date).replace(',', '')} (UTC)`;
}
