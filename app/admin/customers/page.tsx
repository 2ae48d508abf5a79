import type { Metadata } from 'next';
import Link from 'next/link';
import { ResultCount } from '@/app/admin/components/result-count';
import { UtcTime } from '@/app/admin/components/utc-time';
import { searchCustomers } from '@/lib/admin/customers';
import { requireAdmin } from '@/lib/admin/require-admin';
import { queryParam, type SearchParams } from '@/lib/admin/route-param';
import { accountStreamId } from '@/lib/accounts/domain/account';
import type { AccountId } from '@/lib/accounts/domain/account-id';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';
import { CustomerToggle } from './customer-toggle';
import { EmailAddress } from '@/app/components/email-address';

export const metadata: Metadata = { title: 'Customers · Idem' };

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export default async function CustomersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const admin = await requireAdmin();
  const q = (queryParam(params.q) ?? '').slice(0, 200);
  const { customers, matching, problem } = await searchCustomers(q);

  return (
    <>
      <h1>Customers</h1>
      <form method="get" className="filters" role="search" aria-label="Search customers">
        <div className="field">
          <label htmlFor="q">Name, email or account number</label>
          <input id="q" name="q" type="search" defaultValue={q} />
        </div>
        <div className="field">
          <button type="submit">Search</button>
        </div>
        {q ? <Link href="/admin/customers">Show all</Link> : null}
      </form>
      <p className="note">
        Disabling a customer signs them out everywhere and switches off their API keys at once; their requests are
        refused with “Customer disabled”. Nothing is deleted: accounts, balances and history stay. Enabling lets them
        sign in again; they create new API keys.
      </p>
      {problem ? (
        <p role="alert" className="status status-rejected" data-testid="search-problem">
          {problem}. Nothing was searched.
        </p>
      ) : null}
      <ResultCount shown={customers.length} matching={matching} noun="customer" />
      {customers.length > 0 ? (
        <table className="stack">
          <caption className="visually-hidden">Customers, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Accounts</th>
              <th scope="col">Access</th>
              <th scope="col">Joined (UTC)</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {customers.map((c) => (
              <tr key={c.id} data-testid="customer-row">
                <td data-label="Customer">
                  <strong>{c.name}</strong>
                  <br />
                  <EmailAddress className="muted" email={c.email} />
                  <br />
                  {c.admin ? <span className="badge badge-admin">admin</span> : null}{' '}
                  {c.disabled ? (
                    <span className="badge badge-disabled" data-testid="customer-status">
                      disabled
                    </span>
                  ) : (
                    <span className="badge badge-ok" data-testid="customer-status">
                      active
                    </span>
                  )}
                </td>
                <td data-label="Accounts">
                  {c.accounts.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    <ul className="customer-accounts">
                      {c.accounts.map((a) => (
                        <li key={a.accountId} data-testid="customer-account">
                          <Link
                            href={`/admin/streams/${accountStreamId(a.accountId as AccountId)}`}
                            className="account-number"
                          >
                            {formatAccountNumber(a.accountNumber)}
                          </Link>{' '}
                          {a.owner}: <span className="num">{formatUsd(a.balanceCents)}</span>
                        </li>
                      ))}
                      {c.accountCount > c.accounts.length ? (
                        <li className="muted">and {c.accountCount - c.accounts.length} more (streams page)</li>
                      ) : null}
                    </ul>
                  )}
                </td>
                <td data-label="Access" data-testid="customer-access">
                  {plural(c.sessions, 'session')}
                  <br />
                  {plural(c.apiKeys.active, 'API key')}
                  {c.apiKeys.revoked > 0 ? `, ${c.apiKeys.revoked} revoked` : ''}
                </td>
                <td data-label="Joined">
                  <UtcTime date={c.createdAt} />
                </td>
                <td data-label="Actions">
                  {c.id === admin.id ? (
                    <span className="muted">you</span>
                  ) : (
                    <CustomerToggle userId={c.id} name={c.name} disabled={c.disabled} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
