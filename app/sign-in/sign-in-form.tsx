'use client';

import { useActionState } from 'react';
import { Field } from '@/app/components/field';
import { PasswordField } from '@/app/components/password-field';
import { useHydrated } from '@/app/components/use-command-form';
import { signInAction, type AuthFormState } from '@/app/session-actions';

const initial: AuthFormState = { error: null, fieldErrors: {}, values: {} };

/** Works without JavaScript too: the action is a plain form POST that re-renders with the outcome. */
export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(signInAction, initial);
  const hydrated = useHydrated();
  return (
    <form
      action={action}
      onSubmit={(event) => pending && event.preventDefault()}
      data-hydrated={hydrated || undefined}
      className="card auth-form"
      aria-label="Sign in"
      aria-describedby={state.error ? 'sign-in-error' : undefined}
    >
      {state.error ? (
        <p id="sign-in-error" className="status status-rejected" role="alert">
          {state.error}
        </p>
      ) : null}
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
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        Sign in
      </button>
    </form>
  );
}
