import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SignUpForm } from '@/app/sign-up/sign-up-form';
import { currentCustomer } from '@/lib/auth/customer';
import { mailSettings } from '@/lib/mail/settings';

export const metadata: Metadata = { title: 'Create account · Idem' };

export default async function SignUpPage() {
  if (await currentCustomer()) redirect('/');
  return (
    <div className="auth-page">
      <h1>Create your account</h1>
      <SignUpForm inboxUrl={mailSettings().catcher?.inboxUrl ?? null} />
      <p>
        Already have an account? <Link href="/sign-in">Sign in instead</Link>
      </p>
    </div>
  );
}
