import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { currentCustomer, requireCustomer } from '@/lib/auth/customer';
import { getOwnedAccount } from '@/lib/accounts/queries';
import { parseAccountId } from '@/lib/accounts/domain/account-id';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { AccountActions, type ActionKind } from './account-actions';

type Props = { params: Promise<{ accountId: string }> };

/**
 * One action of an account on a page of its own: where the account page's action links lead without
 * JavaScript (and a page a customer may bookmark). The same form, the same action, the same key
 * rules: posted without JavaScript, React renders the answer into this page.
 */
export function actionPage(kind: ActionKind) {
  async function generateMetadata({ params }: Props): Promise<Metadata> {
    await connection();
    const customer = await currentCustomer();
    if (!customer) return { title: 'Sign in · Idem' };
    const id = parseAccountId((await params).accountId);
    const account = id && (await getOwnedAccount(id, customer.id));
    return { title: account ? `${kind} · ${account.owner} · Idem` : 'Account not found · Idem' };
  }

  async function ActionPage({ params }: Props) {
    await connection();
    const { accountId } = await params;
    const customer = await requireCustomer(`/accounts/${encodeURIComponent(accountId)}/${kind.toLowerCase()}`);
    const id = parseAccountId(accountId);
    const account = id && (await getOwnedAccount(id, customer.id));
    if (!account) notFound();
    return (
      <>
        <p className="breadcrumb">
          <Link href={`/accounts/${account.accountId}`}>← {account.owner}</Link>
        </p>
        <section className="account-hero compact" aria-labelledby="account-name">
          <h1 id="account-name">
            {kind} · {account.owner}
          </h1>
          <p className="hero-balance">
            <span className="hero-label">Balance</span>
            <strong data-testid="balance">{formatUsd(account.balanceCents)}</strong>
          </p>
          <p className="hero-number">
            Account number <span data-testid="account-number">{formatAccountNumber(account.accountNumber)}</span>
          </p>
        </section>
        <AccountActions
          accountId={account.accountId}
          version={account.version}
          keys={{ deposit: randomUUID(), withdraw: randomUUID(), transfer: randomUUID() }}
          opened={null}
          only={kind}
        />
      </>
    );
  }

  return { generateMetadata, ActionPage };
}
