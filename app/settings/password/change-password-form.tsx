'use client';

import { useActionState } from 'react';
import { AuthForm } from '@/app/components/auth-form';
import { Field } from '@/app/components/field';
import { changePasswordAction } from '@/app/password-actions';
import type { AuthFormState } from '@/app/session-actions';
import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/auth/forms';

const initial: AuthFormState = { error: null, fieldErrors: {}, values: {} };

/** Settings → "Change password": the other sessions end; this one stays signed in (then /settings?password=changed). */
export function ChangePasswordForm({ changed }: { changed: boolean }) {
  const [state, action, pending] = useActionState(changePasswordAction, initial);
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
        <Field
          id="newPassword"
          name="newPassword"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          hint={`At least ${PASSWORD_MIN} characters.`}
          error={state.fieldErrors.newPassword}
        />
      </AuthForm>
    </>
  );
}
