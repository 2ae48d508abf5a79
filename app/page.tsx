import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { OpenAccountForm } from '@/app/components/open-account-form';
import { currentCustomer } from '@/lib/auth/customer';
import { formatUsd } from '@/lib/domain/money';
import { LocalTime } from '@/app/components/local-time';
import { customerAccounts } from '@/lib/accounts/queries';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';

export async function generateMetadata(): Promise<Metadata> {
  await connection();
  return { title: (await currentCustomer()) ? 'Your accounts · Idem' : 'Welcome · Idem' };
}

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
            <ul className="account-list">
              {accounts.map((a) => (
                <li key={a.accountId} data-testid="account-row" className="card account-item">
                  <Link href={`/accounts/${a.accountId}`} className="account-item-name">
                    {a.owner}
                  </Link>
                  <span className="account-item-balance">{formatUsd(a.balanceCents)}</span>
                  <span className="muted">No. {formatAccountNumber(a.accountNumber)}</span>
                  <span className="muted">
                    Last activity <LocalTime iso={a.updatedAt.toISOString()} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <OpenAccountForm commandId={randomUUID()} />
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
