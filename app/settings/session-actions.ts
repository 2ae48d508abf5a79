'use server';

import { redirect } from 'next/navigation';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';

/**
 * Signs one of the customer's own browsers out. The form sends the session's id (never its token,
 * which is a credential); the id is looked up among the customer's own sessions only, so an id of
 * someone else's session, an ended one or a made-up one changes nothing and says so.
 */
export async function signOutSessionAction(form: FormData): Promise<void> {
  const customer = await requireCustomer('/settings');
  const id = form.get('sessionId');
  // Read from the database, not better-auth's listSessions: that one asks for a sign-in within the
  // last 10 minutes, and signing a lost browser out must not.
  const session =
    typeof id === 'string' && id.length <= 255
      ? await db().session.findFirst({ where: { id, userId: customer.id }, select: { token: true } })
      : null;
  if (!session) redirect('/settings?session=unknown');
  await (await auth().$context).internalAdapter.deleteSession(session.token);
  redirect('/settings?session=ended');
}
