'use client';

import { useActionState } from 'react';
import { createApiKeyAction, type CreateKeyState } from '@/app/settings/api-keys/actions';
import { Field } from '@/app/components/field';
import { useHydrated } from '@/app/components/use-command-form';
import { KEY_NAME_MAX } from '@/lib/auth/forms';

const initial: CreateKeyState = { key: null, name: null, fieldErrors: {} };

export function CreateKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, initial);
  const hydrated = useHydrated();
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
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        Create API key
      </button>
      <div role="status">
        {state.key ? (
          <div className="status status-success new-key">
            <p>Your new key “{state.name}”. Copy it now: it is shown only this once.</p>
            <code data-testid="new-api-key">{state.key}</code>
          </div>
        ) : null}
      </div>
    </form>
  );
}
