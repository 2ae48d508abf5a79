import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';
import { accountStreamId } from '@/lib/domain/account';
import { formatUsd } from '@/lib/domain/money';
import { listAccounts } from '@/lib/accounts/queries';

export const metadata: Metadata = { title: 'Streams · Idem' };

export default async function StreamsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireAdmin();
  const streamId = queryParam((await searchParams).streamId);
  if (streamId) redirect(`/admin/streams/${encodeURIComponent(streamId.slice(0, 300))}`);
  const accounts = await listAccounts(200);

  return (
    <>
      <h1>Streams</h1>
      <form method="get" className="filters" aria-label="Open a stream">
        <div className="field">
          <label htmlFor="streamId">Stream id</label>
          <input id="streamId" name="streamId" placeholder="account-…" required />
        </div>
        <div className="field">
          <button type="submit">Open</button>
        </div>
      </form>
      {accounts.length === 0 ? (
        <p className="muted">No streams yet.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Account streams, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Owner</th>
              <th scope="col" className="num">Version</th>
              <th scope="col" className="num">Balance</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.accountId}>
                <td>
                  <Link href={`/admin/streams/${accountStreamId(a.accountId)}`}>{accountStreamId(a.accountId)}</Link>
                </td>
                <td>{a.owner}</td>
                <td className="num">{a.version}</td>
                <td className="num">{formatUsd(a.balanceCents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
