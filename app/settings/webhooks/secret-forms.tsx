'use client';

import { useActionState } from 'react';
import {
  addEndpointAction,
  replayAction,
  rotateSecretAction,
  type ReplayState,
  type SecretState,
} from '@/app/settings/webhooks/actions';
import { CopyButton } from '@/app/components/copy-button';
import { Field } from '@/app/components/field';
import { useHydrated } from '@/app/components/use-command-form';

const noSecret: SecretState = { secret: null, endpointId: null, error: null };

/** The signing secret, shown once (after adding an endpoint or rotating its secret). */
function OneTimeSecret({ secret, what }: { secret: string; what: string }) {
  return (
    <div className="status status-success new-key">
      <p>{what} Copy it now: it is shown only this once.</p>
      <code data-testid="webhook-secret">{secret}</code>{' '}
      <CopyButton text={secret} label="Copy" done="Secret copied" failed="Could not copy: select the secret instead." />
    </div>
  );
}

/** `formKey`: this form's Idempotency-Key, made by the server (a double submit adds one endpoint). */
export function AddEndpointForm({ formKey }: { formKey: string }) {
  const [state, action, pending] = useActionState(addEndpointAction, noSecret);
  const ignoreWhilePending = (event: { preventDefault: () => void }) => {
    if (pending) event.preventDefault();
  };
  return (
    <form
      aria-label="Add endpoint"
      // The server checks the URL and says what is wrong (http(s), a host, no address inside the network).
      noValidate
      className="card"
      data-hydrated={useHydrated() || undefined}
      onSubmit={ignoreWhilePending}
      action={action}
    >
      <input type="hidden" name="formKey" value={formKey} />
      <Field
        id="endpoint-url"
        name="url"
        type="url"
        label="Endpoint URL"
        hint="Where we POST your events, like https://books.example/webhooks."
        required
        maxLength={2000}
        autoComplete="off"
        error={state.error ?? undefined}
      />
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        Add endpoint
      </button>
      <div role="status">
        {state.secret ? (
          <OneTimeSecret secret={state.secret} what="The endpoint was added. Its signing secret:" />
        ) : null}
      </div>
    </form>
  );
}

export function RotateSecretForm({ endpointId, formKey, url }: { endpointId: string; formKey: string; url: string }) {
  const [state, action, pending] = useActionState(rotateSecretAction, noSecret);
  return (
    <form action={action} className="inline-form">
      <input type="hidden" name="endpointId" value={endpointId} />
      <input type="hidden" name="formKey" value={formKey} />
      <button type="submit" className="secondary" aria-disabled={pending || undefined}>
        Rotate secret<span className="visually-hidden"> of {url}</span>
      </button>
      <div role="status">
        {state.secret ? (
          <OneTimeSecret
            secret={state.secret}
            what="New signing secret (for 24 hours deliveries are signed with the previous one too):"
          />
        ) : null}
        {state.error ? <p className="field-error">{state.error}</p> : null}
      </div>
    </form>
  );
}

const noReplay: ReplayState = { message: null, error: null };

export function ReplayForm({ endpointId, formKey }: { endpointId: string; formKey: string }) {
  const [state, action, pending] = useActionState(replayAction, noReplay);
  // datetime-local carries no zone: send the browser's offset along (without JavaScript: UTC).
  const offset = useHydrated() ? String(new Date().getTimezoneOffset()) : '0';
  const id = `replay-from-${endpointId}`;
  return (
    <form action={action} className="inline-form" aria-label="Replay events">
      <input type="hidden" name="endpointId" value={endpointId} />
      <input type="hidden" name="formKey" value={formKey} />
      <input type="hidden" name="offsetMinutes" value={offset} />
      <Field id={id} name="from" type="datetime-local" label="Replay from" required error={state.error ?? undefined} />
      <button type="submit" className="secondary" aria-disabled={pending || undefined}>
        Replay
      </button>
      <div role="status">{state.message ? <p className="status status-success">{state.message}</p> : null}</div>
    </form>
  );
}
