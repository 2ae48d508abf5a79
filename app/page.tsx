import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { OpenAccountForm } from '@/app/components/open-account-form';
import { currentCustomer } from '@/lib/auth/customer';
import { formatUsd, formatUsdTotal } from '@/lib/domain/money';
import { LocalTime } from '@/app/components/local-time';
import { customerAccounts, customerTotals } from '@/lib/accounts/queries';
import { unseenCounts } from '@/lib/live/seen';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';

export async function generateMetadata(): Promise<Metadata> {
  await connection();
  return { title: (await currentCustomer()) ? 'Your accounts · Idem' : 'Welcome · Idem' };
}

export default async function HomePage() {
  await connection();
  const customer = await currentCustomer();
  if (!customer) return <Landing />;
  const [accounts, totals, unseen] = await Promise.all([
    customerAccounts(customer.id),
    customerTotals(customer.id),
    unseenCounts(customer.id),
  ]);
  return (
    <>
      <h1>Your accounts</h1>
      {totals.count > 0 ? (
        <p className="accounts-total" data-testid="accounts-total">
          <span className="hero-label">
            Total across {totals.count === 1 ? 'your account' : `your ${totals.count} accounts`}
          </span>
          <strong>{formatUsdTotal(totals.totalCents)}</strong>
        </p>
      ) : null}
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
                  <UnseenBadge count={unseen.get(a.accountId) ?? 0} />
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

/** How many incoming movements of an account its owner has not seen yet; nothing when none. */
function UnseenBadge({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="new-mark" data-testid="unseen-count">
      {count} new
    </span>
  );
}

/** What a signed-out visitor sees at `/`: what this bank does, that its money is pretend, and the way in. */
function Landing() {
  return (
    <section className="landing" aria-labelledby="landing-heading">
      <h1 id="landing-heading">A bank account that never pays twice</h1>
      <p className="landing-lead">
        Open accounts, deposit, withdraw and send money to other customers by account number. Press a button twice, lose
        your connection mid-payment or retry from another tab: every payment is made exactly once, and you see exactly
        what happened.
      </p>
      <p className="landing-note" role="note">
        This is a demonstration bank. The money is pretend: nothing here is real currency, and no card or bank details
        are ever asked for.
      </p>
      <ul className="landing-points">
        <li>
          <strong>See every movement.</strong> A balance you can trust and a history, day by day, of what came in and
          what went out.
        </li>
        <li>
          <strong>Pay anyone here.</strong> Send money to another customer&apos;s account number, after a review that
          shows who you are paying.
        </li>
        <li>
          <strong>Connect your software.</strong> API keys and an HTTP API with retry-safe requests for your own tools.
        </li>
      </ul>
      <p className="landing-actions">
        <Link href="/sign-up" className="button-link">
          Create account
        </Link>
        <Link href="/sign-in" className="button-link secondary">
          Sign in
        </Link>
      </p>
    </section>
  );
}
