import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { cache, type ReactNode } from 'react';
import { currentCustomer, requireCustomer, type Customer } from '@/lib/auth/customer';
import { getOwnedAccount } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { LiveBalance } from './live-updates';

type Account = NonNullable<Awaited<ReturnType<typeof getOwnedAccount>>>;

/** Read once per render: the page's title and the page itself ask for the same account. */
const ownedAccount = cache(getOwnedAccount);

/** The title of a page about one account: its name for its owner, the same "not found" for anyone else. */
export async function accountMetadata(
  params: Promise<{ accountId: string }>,
  title: (owner: string) => string,
): Promise<Metadata> {
  await connection();
  const customer = await currentCustomer();
  if (!customer) return { title: 'Sign in · Idem' };
  const id = parseAccountId((await params).accountId);
  const account = id && (await ownedAccount(id, customer.id));
  return { title: account ? title(account.owner) : 'Account not found · Idem' };
}

/**
 * The signed-in customer's account `accountId`, or the 404 page. Someone else's account is, to this
 * customer, not there: the same 404 as an unknown id. A visitor signs in first and comes back to `path`.
 */
export async function requireOwnedAccount(
  accountId: string,
  path: string,
): Promise<{ customer: Customer; account: Account }> {
  await connection();
  const customer = await requireCustomer(path);
  const id = parseAccountId(accountId);
  const account = id && (await ownedAccount(id, customer.id));
  if (!account) notFound();
  return { customer, account };
}

/** The account's name (or what `heading` says), balance and number; `number` may carry a copy button, `children` follow. */
export function AccountHero({
  account,
  heading,
  number,
  compact = false,
  children,
}: {
  account: Account;
  heading: ReactNode;
  number: ReactNode;
  compact?: boolean;
  children?: ReactNode;
}) {
  return (
    <section className={compact ? 'account-hero compact' : 'account-hero'} aria-labelledby="account-name">
      <h1 id="account-name">{heading}</h1>
      <p className="hero-balance">
        <span className="hero-label">Balance</span>
        <strong data-testid="balance">
          <LiveBalance cents={account.balanceCents} />
        </strong>
      </p>
      <p className="hero-number">Account number {number}</p>
      {children}
    </section>
  );
}
