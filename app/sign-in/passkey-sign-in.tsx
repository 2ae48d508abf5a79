'use client';

import { useState } from 'react';
import { authClient } from '@/lib/auth/client';

/** The second way in: a passkey (WebAuthn) registered on the settings page. Needs JavaScript. */
export function PasskeySignIn({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const signIn = async () => {
    setPending(true);
    setError(null);
    const result = await authClient.signIn
      .passkey()
      .catch((e: unknown) => ({ error: { message: e instanceof Error ? e.message : String(e) } }));
    if (result?.error) {
      setError('That passkey did not sign you in. Try again, or use your email and password.');
      setPending(false);
      return;
    }
    window.location.assign(next);
  };

  return (
    <div className="card auth-form" aria-describedby={error ? 'passkey-error' : undefined}>
      <p className="hint">Or, if you added a passkey on this device:</p>
      <button
        type="button"
        className="secondary"
        onClick={() => !pending && void signIn()}
        aria-disabled={pending || undefined}
        aria-busy={pending || undefined}
      >
        Use a passkey
      </button>
      <p id="passkey-error" role="alert" className={error ? 'status status-rejected' : 'visually-hidden'}>
        {error}
      </p>
    </div>
  );
}
