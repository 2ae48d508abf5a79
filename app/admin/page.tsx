import type { Metadata } from 'next';
import Link from 'next/link';
import { DailyTotals } from '@/app/admin/daily-totals';
import { requireAdmin } from '@/lib/admin/require-admin';

export const metadata: Metadata = { title: 'Admin · Idem' };

export default async function AdminDashboard() {
  await requireAdmin();
  return (
    <>
      <h1>Admin</h1>
      <ul className="admin-links">
        <li>
          <Link href="/admin/events">Event history</Link> <span className="muted">— the global log, filterable by stream, type, command and time</span>
        </li>
        <li>
          <Link href="/admin/commands">Command log</Link> <span className="muted">— every recorded command, its outcome and how often it was replayed</span>
        </li>
        <li>
          <Link href="/admin/streams">Streams</Link> <span className="muted">— each account’s events with its state after every version</span>
        </li>
        <li>
          <Link href="/admin/projections">Projections</Link> <span className="muted">— asynchronous projections: position, lag, verify and rebuild</span>
        </li>
        <li>
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- a JSON route, not a page: no client navigation */}
          <a href="/api/admin/events?after=0&amp;limit=100">GET /api/admin/events</a>{' '}
          <span className="muted">— the log as JSON, by global position</span>
        </li>
      </ul>
      {/* Slot for the daily-totals chart (another change replaces app/admin/daily-totals.tsx). */}
      <section aria-labelledby="daily-totals">
        <h2 id="daily-totals">Daily totals</h2>
        <DailyTotals />
      </section>
    </>
  );
}
