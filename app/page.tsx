import Link from 'next/link';
import { connection } from 'next/server';
import { OpenAccountForm } from '@/app/components/open-account-form';
import { currentCustomer } from '@/lib/auth/customer';
import { formatUsd } from '@/lib/domain/money';
import { formatTime } from '@/app/components/format-time';
import { customerAccounts } from '@/lib/accounts/queries';
import { formatAccountNumber } from '@/lib/domain/account-number';

export default async function HomePage() {
  await connection();
  const customer = await currentCustomer();
  if (!customer) return <Landing />;
  const accounts = await customerAccounts(customer.id);
  return (
    <>
      <h1>Your accounts</h1>
      <div className="columns">
        <section aria-labelledby="accounts-heading">
          <h2 id="accounts-heading" className="visually-hidden">
            Your accounts
          </h2>
          {accounts.length === 0 ? (
            <p className="muted">You have no accounts yet. Open your first one.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Number</th>
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
                    <td>{formatAccountNumber(a.accountNumber)}</td>
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

/** What a signed-out visitor sees at `/`. */
function Landing() {
  return (
    <section className="landing" aria-labelledby="landing-heading">
      <h1 id="landing-heading">Idem</h1>
      <p>A bank ledger that records every payment exactly once: a double click, a retry or a dropped connection never moves your money twice.</p>
      <p className="landing-actions">
        <Link href="/sign-in" className="button-link">
          Sign in
        </Link>
        <Link href="/sign-up" className="button-link secondary">
          Create account
        </Link>
      </p>
    </section>
  );
}
