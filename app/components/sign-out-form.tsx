import { signOutAction } from '@/app/admin/actions';
import { currentAdmin } from '@/lib/admin/require-admin';

/** Shown in the header while an admin is signed in. */
export async function SignOutForm() {
  const auth = await currentAdmin();
  if (auth.status !== 'signed-in') return null;
  return (
    <form action={signOutAction} className="sign-out" aria-label="Sign out">
      <span className="signed-in-as">{auth.session.email}</span>
      <button type="submit">Sign out</button>
    </form>
  );
}
