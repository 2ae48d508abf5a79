import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { CustomerCell } from '@/app/admin/event-table';
import { ownersOfStreams } from '@/lib/admin/account-owners';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';
import { listAccounts } from '@/lib/accounts/queries';
import { accountStreamId } from '@/lib/accounts/domain/account';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';

export const metadata: Metadata = { title: 'Streams · Idem' };

export default async function StreamsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireAdmin();
  const streamId = queryParam((await searchParams).streamId);
  if (streamId) redirect(`/admin/streams/${encodeURIComponent(streamId.slice(0, 300))}`);
  const accounts = await listAccounts(200);
  const owners = await ownersOfStreams(accounts.map((a) => accountStreamId(a.accountId)));

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
      <p className="result-count">
        {accounts.length === 0 ? 'No streams yet.' : `The ${accounts.length} newest account streams.`}
      </p>
      {accounts.length > 0 ? (
        <table className="stack">
          <caption className="visually-hidden">Account streams, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Account name</th>
              <th scope="col">Customer</th>
              <th scope="col" className="num">
                Version
              </th>
              <th scope="col" className="num">
                Balance
              </th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => {
              const stream = accountStreamId(a.accountId);
              return (
                <tr key={a.accountId}>
                  <td data-label="Account">
                    <Link
                      href={`/admin/streams/${stream}`}
                      aria-label={`${formatAccountNumber(a.accountNumber)} (${stream})`}
                      className="account-number"
                    >
                      {formatAccountNumber(a.accountNumber)}
                    </Link>
                  </td>
                  <td data-label="Account name">{a.owner}</td>
                  <td data-label="Customer">
                    <CustomerCell owner={owners.get(stream)} />
                  </td>
                  <td data-label="Version" className="num">
                    {a.version}
                  </td>
                  <td data-label="Balance" className="num">
                    {formatUsd(a.balanceCents)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
