'use client';

import { useActionState } from 'react';
import { createApiKeyAction, type CreateKeyState } from '@/app/settings/api-keys/actions';
import { CopyButton } from '@/app/components/copy-button';
import { Field } from '@/app/components/field';
import { useHydrated } from '@/app/components/use-command-form';
import { CurrentPasswordField } from '@/app/settings/current-password-field';
import { KEY_LIFETIMES, KEY_NAME_MAX } from '@/lib/auth/forms';

const initial: CreateKeyState = { key: null, keyId: null, name: null, fieldErrors: {} };

/**
 * `needsPassword`: the sign-in is older than 10 minutes, so the password is asked again.
 * `keyIds`: the keys listed now; the one-time key is shown only while its key still exists.
 */
export function CreateKeyForm({ needsPassword, keyIds }: { needsPassword: boolean; keyIds: string[] }) {
  const [state, action, pending] = useActionState(createApiKeyAction, initial);
  const hydrated = useHydrated();
  const passwordError = state.fieldErrors.currentPassword;
  const showKey = state.key && state.keyId && keyIds.includes(state.keyId);
  return (
    <form
      action={action}
      onSubmit={(event) => pending && event.preventDefault()}
      className="card"
      aria-label="Create API key"
      data-hydrated={hydrated || undefined}
    >
      <Field
        id="key-name"
        name="name"
        label="Key name"
        hint="What will use it, e.g. “billing server”."
        required
        // The browser counts UTF-16 units (an emoji is 2); the server counts characters.
        maxLength={KEY_NAME_MAX * 2}
        autoComplete="off"
        error={state.fieldErrors.name}
      />
      <div className="field">
        <label htmlFor="key-expires">Expires after</label>
        <select
          id="key-expires"
          name="expiresInDays"
          defaultValue="90"
          aria-invalid={state.fieldErrors.expiresInDays ? true : undefined}
        >
          {KEY_LIFETIMES.map((days) => (
            <option key={days} value={days}>
              {days === 365 ? '1 year' : `${days} days`}
            </option>
          ))}
        </select>
        {state.fieldErrors.expiresInDays ? (
          <p className="field-error" role="alert">
            {state.fieldErrors.expiresInDays}
          </p>
        ) : null}
      </div>
      <fieldset className="field">
        <legend>The key may</legend>
        <label>
          <input type="radio" name="access" value="read-write" defaultChecked /> Read and move money
        </label>
        <label>
          <input type="radio" name="access" value="read" /> Only read (balances and history)
        </label>
        {state.fieldErrors.access ? (
          <p className="field-error" role="alert">
            {state.fieldErrors.access}
          </p>
        ) : null}
      </fieldset>
      {needsPassword || passwordError ? <CurrentPasswordField error={passwordError} /> : null}
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        Create API key
      </button>
      <div role="status">
        {showKey ? (
          <div className="status status-success new-key">
            <p>Your new key “{state.name}”. Copy it now: it is shown only this once.</p>
            <code data-testid="new-api-key">{state.key}</code>{' '}
            <CopyButton
              text={state.key!}
              label="Copy"
              done="Key copied"
              failed="Could not copy: select the key and copy it instead."
            />
          </div>
        ) : null}
      </div>
    </form>
  );
}
