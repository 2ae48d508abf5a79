'use client';

import { AuthForm, AuthNotice } from '@/app/components/auth-form';
import { EmailField, useAuthAction } from '@/app/components/auth-fields';
import { Field } from '@/app/components/field';
import { PasswordField } from '@/app/components/password-field';
import { signUpAction } from '@/app/session-actions';
import { NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from '@/lib/auth/forms';

/** Works without JavaScript too; on success it says to follow the mailed link, which signs the customer in. */
export function SignUpForm({ inboxUrl }: { inboxUrl: string | null }) {
  const [state, action, pending] = useAuthAction(signUpAction);
  if (state.done) return <AuthNotice inboxUrl={inboxUrl}>{state.done}</AuthNotice>;
  return (
    <AuthForm
      name="Create account"
      id="sign-up"
      action={action}
      pending={pending}
      error={state.error}
      submit="Create account"
    >
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
      <EmailField state={state} />
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
    </AuthForm>
  );
}
