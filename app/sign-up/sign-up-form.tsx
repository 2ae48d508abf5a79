'use client';

import { useActionState } from 'react';
import { Field } from '@/app/components/field';
import { PasswordField } from '@/app/components/password-field';
import { useHydrated } from '@/app/components/use-command-form';
import { signUpAction, type AuthFormState } from '@/app/session-actions';
import { NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from '@/lib/auth/forms';

const initial: AuthFormState = { error: null, fieldErrors: {}, values: {} };

/** Works without JavaScript too; on success the customer is signed in and lands on `/`. */
export function SignUpForm() {
  const [state, action, pending] = useActionState(signUpAction, initial);
  const hydrated = useHydrated();
  return (
    <form
      action={action}
      onSubmit={(event) => pending && event.preventDefault()}
      data-hydrated={hydrated || undefined}
      className="card auth-form"
      aria-label="Create account"
      aria-describedby={state.error ? 'sign-up-error' : undefined}
    >
      {state.error ? (
        <p id="sign-up-error" className="status status-rejected" role="alert">
          {state.error}
        </p>
      ) : null}
      <Field
        id="name"
        name="name"
        label="Name"
        autoComplete="name"
        required
        // The browser counts UTF-16 units (an emoji is 2); the server counts characters.
        maxLength={NAME_MAX * 2}
        defaultValue={state.values.name}
        error={state.fieldErrors.name}
      />
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
      <PasswordField
        id="password"
        name="password"
        label="Password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN}
        maxLength={PASSWORD_MAX}
        hint={`At least ${PASSWORD_MIN} characters.`}
        error={state.fieldErrors.password}
      />
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        Create account
      </button>
    </form>
  );
}
