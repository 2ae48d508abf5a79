'use client';

import { useActionState } from 'react';
import { confirmPasswordAction, type ConfirmState } from '@/app/settings/actions';
import { CurrentPasswordField } from '@/app/settings/current-password-field';

/** The fresh-sign-in guard for adding a passkey: the password again, then "Add a passkey" appears. */
export function ConfirmPasswordForm() {
  const [state, action, pending] = useActionState<ConfirmState, FormData>(confirmPasswordAction, { error: null });
  return (
    <form action={action} aria-label="Confirm your password" onSubmit={(event) => pending && event.preventDefault()}>
      <CurrentPasswordField error={state.error ?? undefined} />
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        Confirm password
      </button>
    </form>
  );
}
