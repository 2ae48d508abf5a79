'use client';

import { AuthForm } from '@/app/components/auth-form';
import { NewPasswordField, useAuthAction } from '@/app/components/auth-fields';
import { resetPasswordAction } from '@/app/password-actions';
import { PASSWORD_MIN } from '@/lib/auth/forms';

/** The mailed link's token rides along in a hidden field; success signs out everywhere and goes to sign-in. */
export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, pending] = useAuthAction(resetPasswordAction);
  return (
    <AuthForm
      name="Set new password"
      id="reset-password"
      action={action}
      pending={pending}
      error={state.error ?? state.fieldErrors.token ?? null}
      submit="Set new password"
    >
      <input type="hidden" name="token" value={token} />
      <NewPasswordField
        state={state}
        hint={`At least ${PASSWORD_MIN} characters. Every device signed in to your account will be signed out.`}
      />
    </AuthForm>
  );
}
