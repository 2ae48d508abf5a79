import type { Metadata } from 'next';
import Link from 'next/link';
import { ResetPasswordForm } from '@/app/reset-password/reset-password-form';

export const metadata: Metadata = { title: 'Choose a new password · Idem' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const raw = (await searchParams).token;
  const token = Array.isArray(raw) ? raw[0] : raw;
  return (
    <div className="auth-page">
      <h1>Choose a new password</h1>
      {token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p className="status status-rejected" role="alert">
          This page needs the link from your reset mail. <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      )}
    </div>
  );
}
