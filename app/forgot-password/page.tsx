import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { ForgotPasswordForm } from '@/app/forgot-password/forgot-password-form';
import { mailSettings } from '@/lib/mail/settings';

export const metadata: Metadata = { title: 'Forgot password · Idem' };

export default async function ForgotPasswordPage() {
  await connection(); // where mail goes is read when serving, not at build time
  return (
    <div className="auth-page">
      <h1>Forgot your password?</h1>
      <p>Give the email you signed up with: we send it a link to choose a new password.</p>
      <ForgotPasswordForm inboxUrl={mailSettings().catcher?.inboxUrl ?? null} />
      <p>
        Remembered it? <Link href="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}
