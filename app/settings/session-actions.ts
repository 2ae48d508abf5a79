'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';

/**
 * Signs one of the customer's own browsers out. The form sends the session's id (never its token,
 * which is a credential); the id is looked up among the customer's own sessions only, so an id of
 * someone else's session, an ended one or a made-up one changes nothing and says so.
 */
export async function signOutSessionAction(form: FormData): Promise<void> {
  await requireCustomer('/settings');
  const id = form.get('sessionId');
  const requestHeaders = await headers();
  const own = await auth().api.listSessions({ headers: requestHeaders });
  const session = typeof id === 'string' ? own.find((s) => s.id === id) : undefined;
  if (!session) redirect('/settings?session=unknown');
  await auth().api.revokeSession({ body: { token: session.token }, headers: requestHeaders });
  redirect('/settings?session=ended');
}
