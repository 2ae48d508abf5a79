'use client';

import { AuthForm } from '@/app/components/auth-form';
import { NewPasswordField, useAuthAction } from '@/app/components/auth-fields';
import { Field } from '@/app/components/field';
import { changePasswordAction } from '@/app/password-actions';
import { PASSWORD_MIN } from '@/lib/auth/forms';

/** Settings → "Change password": the other sessions end; this one stays signed in (then /settings?password=changed). */
export function ChangePasswordForm({ changed }: { changed: boolean }) {
  const [state, action, pending] = useAuthAction(changePasswordAction);
  return (
    <>
      <div aria-live="polite">
        {changed && !state.error && Object.keys(state.fieldErrors).length === 0 ? (
          <p className="status status-success" role="status">
            Password changed. Your other sessions were signed out.
          </p>
        ) : null}
      </div>
      <AuthForm
        name="Change password"
        id="change-password"
        action={action}
        pending={pending}
        error={state.error}
        submit="Change password"
        className="auth-form"
      >
        <Field
          id="currentPassword"
          name="currentPassword"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          error={state.fieldErrors.currentPassword}
        />
        <NewPasswordField state={state} hint={`At least ${PASSWORD_MIN} characters.`} />
      </AuthForm>
    </>
  );
}
