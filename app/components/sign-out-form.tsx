import { signOutAction } from '@/app/session-actions';
import type { Customer } from '@/lib/auth/customer';

/** Shown in the header while someone is signed in. A plain form: works without JavaScript. */
export function SignOutForm({ customer }: { customer: Customer }) {
  return (
    <form action={signOutAction} className="sign-out" aria-label="Sign out">
      <span className="signed-in-as">{customer.email}</span>
      <button type="submit">Sign out</button>
    </form>
  );
}
