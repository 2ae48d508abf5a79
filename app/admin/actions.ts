'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { isAdminPath, requireAdmin } from '@/lib/admin/require-admin';
import { SESSION_COOKIE } from '@/lib/admin/session';
import { clientAddress, isHttps, signIn } from '@/lib/admin/sign-in';
import { db } from '@/lib/db/prisma';

export type SignInState = { error: string | null; email: string };

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = text(form, 'email');
  const requestHeaders = await headers();
  const result = await signIn(db(), { email, password: text(form, 'password'), clientIp: clientAddress(requestHeaders) });
  if (!result.ok) return { error: result.message, email };
  (await cookies()).set(SESSION_COOKIE, result.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(requestHeaders),
    path: '/',
    maxAge: result.maxAgeSeconds,
  });
  const next = text(form, 'next');
  redirect(isAdminPath(next) ? next : '/admin');
}

/** Admin-only like every admin action: without a valid session it redirects to sign-in and does nothing. */
export async function signOutAction(): Promise<void> {
  await requireAdmin();
  (await cookies()).delete({ name: SESSION_COOKIE, path: '/' });
  redirect('/admin/sign-in?signed-out=1');
}
