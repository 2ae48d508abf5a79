import { Field } from '@/app/components/field';
import { CURRENT_PASSWORD_FIELD } from '@/lib/auth/reauthenticate-field';

/** The fresh-sign-in guard's field (lib/auth/reauthenticate.ts): shown when the sign-in is older than 10 minutes. */
export function CurrentPasswordField({ error }: { error?: string }) {
  return (
    <Field
      id="current-password"
      name={CURRENT_PASSWORD_FIELD}
      type="password"
      label="Your password"
      hint="You signed in more than 10 minutes ago: confirm it is you before adding a credential."
      autoComplete="current-password"
      required
      error={error}
    />
  );
}
