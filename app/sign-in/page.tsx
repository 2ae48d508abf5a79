import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { PasskeySignIn } from '@/app/sign-in/passkey-sign-in';
import { SignInForm } from '@/app/sign-in/sign-in-form';
import { currentCustomer } from '@/lib/auth/customer';
import { safeNextPath } from '@/lib/auth/next-path';
import { mailSettings } from '@/lib/mail/settings';

export const metadata: Metadata = { title: 'Sign in · Idem' };

type SearchParams = Record<string, string | string[] | undefined>;
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const SIGNED_OUT: Record<string, string> = {
  '1': 'You have been signed out.',
  everywhere: 'You have been signed out on every device.',
  reset: 'Your new password is set, and every device was signed out. Sign in with it.',
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const next = safeNextPath(one(params.next));
  if (await currentCustomer()) redirect(next);
  const signedOut = SIGNED_OUT[one(params['signed-out']) ?? ''];

  return (
    <div className="auth-page">
      <h1>Sign in</h1>
      {signedOut ? (
        <p className="status status-success" role="status">
          {signedOut}
        </p>
      ) : null}
      <SignInForm next={next} inboxUrl={mailSettings().catcher?.inboxUrl ?? null} />
      <p>
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <PasskeySignIn next={next} />
      <p>
        New to Idem? <Link href="/sign-up">Create an account</Link>
      </p>
    </div>
  );
}
