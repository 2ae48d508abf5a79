import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutForm } from '@/app/components/sign-out-form';
import { currentCustomer } from '@/lib/auth/customer';
import './globals.css';

export const metadata: Metadata = {
  title: 'Idem',
  description: 'Exactly-once money movements on an event-sourced ledger',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const customer = await currentCustomer();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Idem
          </Link>
          {customer ? (
            <>
              <nav aria-label="Main">
                <Link href="/">Accounts</Link>
                <Link href="/settings">Settings</Link>
                {customer.role === 'admin' ? <Link href="/admin">Admin</Link> : null}
              </nav>
              <SignOutForm customer={customer} />
            </>
          ) : null}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
