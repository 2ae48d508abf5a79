import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import Link from 'next/link';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { AccountActions, type ActionKind } from './account-actions';
import { AccountHero, accountMetadata, requireOwnedAccount } from './owned-account';

type Props = { params: Promise<{ accountId: string }> };

/**
 * One action of an account on a page of its own: where the account page's action links lead without
 * JavaScript (and a page a customer may bookmark). The same form, the same action, the same key
 * rules: posted without JavaScript, React renders the answer into this page.
 */
export function actionPage(kind: ActionKind) {
  async function generateMetadata({ params }: Props): Promise<Metadata> {
    return accountMetadata(params, (owner) => `${kind} · ${owner} · Idem`);
  }

  async function ActionPage({ params }: Props) {
    const { accountId } = await params;
    const { account } = await requireOwnedAccount(
      accountId,
      `/accounts/${encodeURIComponent(accountId)}/${kind.toLowerCase()}`,
    );
    return (
      <>
        <p className="breadcrumb">
          <Link href={`/accounts/${account.accountId}`}>← {account.owner}</Link>
        </p>
        <AccountHero
          account={account}
          heading={`${kind} · ${account.owner}`}
          number={<span data-testid="account-number">{formatAccountNumber(account.accountNumber)}</span>}
          compact
        />
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
