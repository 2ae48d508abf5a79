import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/app/admin/sign-in/sign-in-form';
import { currentAdmin, isAdminPath } from '@/lib/admin/require-admin';
import type { SearchParams } from '@/lib/admin/route-param';

export const metadata: Metadata = { title: 'Admin sign-in · Idem' };

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const next = isAdminPath(one(params.next)) ? one(params.next) : '/admin';
  const auth = await currentAdmin();
  if (auth.status === 'signed-in') redirect(next);

  return (
    <>
      <h1>Admin sign-in</h1>
      {auth.status === 'not-configured' ? (
        <div className="card" role="alert">
          <p>
            <strong>Admin sign-in is not configured on this server.</strong> Nothing in the admin area is reachable until it is.
          </p>
          <ul>
            {auth.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
          <p className="muted">See “Admin console” in the README. `npm start` on the embedded database prints a one-time password instead.</p>
        </div>
      ) : (
        <>
          {one(params['signed-out']) ? (
            <p className="status status-success" role="status">
              You have been signed out.
            </p>
          ) : null}
          <SignInForm next={next} />
        </>
      )}
    </>
  );
}
