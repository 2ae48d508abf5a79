import Link from 'next/link';
import { connection } from 'next/server';
import { OpenAccountForm } from '@/app/components/open-account-form';
import { formatUsd } from '@/lib/domain/money';
import { formatTime } from '@/app/components/format-time';
import { listAccounts } from '@/lib/accounts/queries';

export default async function HomePage() {
  await connection();
  const accounts = await listAccounts();
  return (
    <>
      <h1>Accounts</h1>
      <div className="columns">
        <section aria-labelledby="accounts-heading">
          <h2 id="accounts-heading" className="visually-hidden">
            All accounts
          </h2>
          {accounts.length === 0 ? (
            <p className="muted">No accounts yet. Open the first one.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Owner</th>
                  <th scope="col" className="num">Balance</th>
                  <th scope="col">Last activity</th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((a) => (
                  <tr key={a.accountId} data-testid="account-row">
                    <td>
                      <Link href={`/accounts/${a.accountId}`}>{a.owner}</Link>
                    </td>
                    <td className="num">{formatUsd(a.balanceCents)}</td>
                    <td>
                      <time dateTime={a.updatedAt.toISOString()}>{formatTime(a.updatedAt)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <OpenAccountForm />
      </div>
    </>
  );
}
