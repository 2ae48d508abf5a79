'use client';

import { useActionState } from 'react';
import { AuthForm, AuthNotice } from '@/app/components/auth-form';
import { Field } from '@/app/components/field';
import { forgotPasswordAction } from '@/app/password-actions';
import type { AuthFormState } from '@/app/session-actions';

const initial: AuthFormState = { error: null, fieldErrors: {}, values: {} };

export function ForgotPasswordForm({ inboxUrl }: { inboxUrl: string | null }) {
  const [state, action, pending] = useActionState(forgotPasswordAction, initial);
  if (state.done) return <AuthNotice inboxUrl={inboxUrl}>{state.done}</AuthNotice>;
  return (
    <AuthForm name="Forgot password" id="forgot-password" action={action} pending={pending} error={state.error} submit="Send reset link">
      <Field
        id="email"
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values.email}
        error={state.fieldErrors.email}
      />
    </AuthForm>
  );
}
