'use client';

import { useActionState } from 'react';
import { AuthForm, AuthNotice } from '@/app/components/auth-form';
import { Field } from '@/app/components/field';
import { PasswordField } from '@/app/components/password-field';
import { resendVerificationAction, signInAction, type AuthFormState } from '@/app/session-actions';

const initial: AuthFormState = { error: null, fieldErrors: {}, values: {} };

/** Works without JavaScript too: the action is a plain form POST that re-renders with the outcome. */
export function SignInForm({ next, inboxUrl }: { next: string; inboxUrl: string | null }) {
  const [state, action, pending] = useActionState(signInAction, initial);
  return (
    <>
      <AuthForm name="Sign in" id="sign-in" action={action} pending={pending} error={state.error} submit="Sign in">
        <input type="hidden" name="next" value={next} />
        <Field
          id="email"
          name="email"
          label="Email"
          type="email"
          autoComplete="username webauthn"
          required
          defaultValue={state.values.email}
          error={state.fieldErrors.email}
        />
        <PasswordField id="password" name="password" label="Password" autoComplete="current-password" required error={state.fieldErrors.password} />
      </AuthForm>
      {state.unverified ? <ResendVerification email={state.values.email ?? ''} inboxUrl={inboxUrl} /> : null}
    </>
  );
}

/** Offered once the right password met an unconfirmed address: sends a new verification link. */
function ResendVerification({ email, inboxUrl }: { email: string; inboxUrl: string | null }) {
  const [state, action, pending] = useActionState(resendVerificationAction, initial);
  if (state.done) return <AuthNotice inboxUrl={inboxUrl}>{state.done}</AuthNotice>;
  return (
    <AuthForm name="Resend verification email" id="resend" action={action} pending={pending} error={state.error} submit="Resend verification email">
      <input type="hidden" name="email" value={email} />
    </AuthForm>
  );
}
