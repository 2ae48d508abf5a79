'use client';

import { useActionState } from 'react';
import { Field } from '@/app/components/field';
import type { AuthFormState } from '@/app/session-actions';
import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/auth/forms';

const INITIAL: AuthFormState = { error: null, fieldErrors: {}, values: {} };

type AuthAction = (previous: AuthFormState, form: FormData) => Promise<AuthFormState>;

/** An identity form's server action and its answer, starting from no error and no values. */
export function useAuthAction(action: AuthAction) {
  return useActionState(action, INITIAL);
}

/** The email field of sign in, sign up and forgot password, showing what was typed after a failure. */
export function EmailField({ state, autoComplete = 'email' }: { state: AuthFormState; autoComplete?: string }) {
  return (
    <Field
      id="email"
      name="email"
      label="Email"
      type="email"
      autoComplete={autoComplete}
      required
      defaultValue={state.values.email}
      error={state.fieldErrors.email}
    />
  );
}

/** The new password of reset and change password, within the limits the server enforces. */
export function NewPasswordField({ state, hint }: { state: AuthFormState; hint: string }) {
  return (
    <Field
      id="newPassword"
      name="newPassword"
      label="New password"
      type="password"
      autoComplete="new-password"
      required
      minLength={PASSWORD_MIN}
      maxLength={PASSWORD_MAX}
      hint={hint}
      error={state.fieldErrors.newPassword}
    />
  );
}
