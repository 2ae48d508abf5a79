'use client';

import { AuthForm, AuthNotice } from '@/app/components/auth-form';
import { EmailField, useAuthAction } from '@/app/components/auth-fields';
import { forgotPasswordAction } from '@/app/password-actions';

export function ForgotPasswordForm({ inboxUrl }: { inboxUrl: string | null }) {
  const [state, action, pending] = useAuthAction(forgotPasswordAction);
  if (state.done) return <AuthNotice inboxUrl={inboxUrl}>{state.done}</AuthNotice>;
  return (
    <AuthForm
      name="Forgot password"
      id="forgot-password"
      action={action}
      pending={pending}
      error={state.error}
      submit="Send reset link"
    >
      <EmailField state={state} />
    </AuthForm>
  );
}
