import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutForm } from '@/app/components/sign-out-form';
import { currentCustomer } from '@/lib/auth/customer';
import './globals.css';

// Every page sets its own title as "<Page> · Idem" (the admin console's pages too), so no template.
export const metadata: Metadata = {
  title: 'Idem',
  description: 'Exactly-once money movements on an event-sourced ledger',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#111827' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const customer = await currentCustomer();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand">
            Idem
          </Link>
          {customer ? (
            <>
              <nav aria-label="Main" className="main-nav">
                <Link href="/">Accounts</Link>
                <Link href="/settings">Settings</Link>
                {customer.role === 'admin' ? <Link href="/admin">Admin</Link> : null}
              </nav>
              <SignOutForm customer={customer} />
            </>
          ) : null}
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
