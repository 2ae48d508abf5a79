'use client';

import { AuthForm, AuthNotice } from '@/app/components/auth-form';
import { EmailField, useAuthAction } from '@/app/components/auth-fields';
import { PasswordField } from '@/app/components/password-field';
import { resendVerificationAction, signInAction } from '@/app/session-actions';

/** Works without JavaScript too: the action is a plain form POST that re-renders with the outcome. */
export function SignInForm({ next, inboxUrl }: { next: string; inboxUrl: string | null }) {
  const [state, action, pending] = useAuthAction(signInAction);
  return (
    <>
      <AuthForm name="Sign in" id="sign-in" action={action} pending={pending} error={state.error} submit="Sign in">
        <input type="hidden" name="next" value={next} />
        <EmailField state={state} autoComplete="username webauthn" />
        <PasswordField
          id="password"
          name="password"
          label="Password"
          autoComplete="current-password"
          required
          error={state.fieldErrors.password}
        />
      </AuthForm>
      {state.unverified ? <ResendVerification email={state.values.email ?? ''} inboxUrl={inboxUrl} /> : null}
    </>
  );
}

/** Offered once the right password met an unconfirmed address: sends a new verification link. */
function ResendVerification({ email, inboxUrl }: { email: string; inboxUrl: string | null }) {
  const [state, action, pending] = useAuthAction(resendVerificationAction);
  if (state.done) return <AuthNotice inboxUrl={inboxUrl}>{state.done}</AuthNotice>;
  return (
    <AuthForm
      name="Resend verification email"
      id="resend"
      action={action}
      pending={pending}
      error={state.error}
      submit="Resend verification email"
    >
      <input type="hidden" name="email" value={email} />
    </AuthForm>
  );
}
