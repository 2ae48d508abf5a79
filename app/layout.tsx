import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutForm } from '@/app/components/sign-out-form';
import './globals.css';

export const metadata: Metadata = {
  title: 'Idem',
  description: 'Exactly-once money movements on an event-sourced ledger',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Idem
          </Link>
          <nav aria-label="Main">
            <Link href="/">Accounts</Link>
            <Link href="/admin">Admin</Link>
          </nav>
          <SignOutForm />
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
