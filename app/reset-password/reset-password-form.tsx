'use client';

import { useActionState } from 'react';
import { AuthForm } from '@/app/components/auth-form';
import { Field } from '@/app/components/field';
import { resetPasswordAction } from '@/app/password-actions';
import type { AuthFormState } from '@/app/session-actions';
import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/auth/forms';

const initial: AuthFormState = { error: null, fieldErrors: {}, values: {} };

/** The mailed link's token rides along in a hidden field; success signs out everywhere and goes to sign-in. */
export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, initial);
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
      <Field
        id="newPassword"
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN}
        maxLength={PASSWORD_MAX}
        hint={`At least ${PASSWORD_MIN} characters. Every device signed in to your account will be signed out.`}
        error={state.fieldErrors.newPassword}
      />
    </AuthForm>
  );
}
