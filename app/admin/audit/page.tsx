import type { Metadata } from 'next';
import Link from 'next/link';
import { UtcTime } from '@/app/admin/components/utc-time';
import { listAdminActions } from '@/lib/admin/audit-log';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';

export const metadata: Metadata = { title: 'Audit log · Idem' };

const ACTION_LABELS: Record<string, string> = {
  'customer.disable': 'Disabled customer',
  'customer.enable': 'Enabled customer',
  'projection.rebuild': 'Rebuilt projection',
};

/** What admins changed through the console, newest first, with who did it (lib/admin/audit-log.ts). */
export default async function AuditLogPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  await requireAdmin();
  const beforeParam = queryParam(params.before);
  const before = beforeParam && /^\d{1,18}$/.test(beforeParam) ? BigInt(beforeParam) : undefined;
  const { entries, nextBefore } = await listAdminActions(before);

  return (
    <>
      <h1>Audit log</h1>
      <p className="note">
        Every change made through this console — disabling or enabling a customer, rebuilding a projection — with the
        admin who made it.
      </p>
      {entries.length === 0 ? (
        <p>No admin actions yet.</p>
      ) : (
        <table className="stack">
          <caption className="visually-hidden">Admin actions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Admin</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="audit-row">
                <td data-label="When (UTC)">
                  <UtcTime date={e.at} />
                </td>
                <td data-label="Admin">{e.adminEmail}</td>
                <td data-label="Action">{ACTION_LABELS[e.action] ?? e.action}</td>
                <td data-label="Target">
                  <code>{e.target}</code>
                </td>
                <td data-label="Detail">{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore ? <Link href={`/admin/audit?before=${nextBefore}`}>Older entries</Link> : null}
    </>
  );
}
