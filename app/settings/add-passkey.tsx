'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { authClient } from '@/lib/auth/client';

/** Registers a passkey (WebAuthn) for the signed-in customer; it then signs in on /sign-in. */
export function AddPasskey() {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, setPending] = useState(false);

  const add = async () => {
    setPending(true);
    setMessage(null);
    const result = await authClient.passkey
      .addPasskey({ name: navigator.platform || 'This device' })
      .catch((e: unknown) => ({ error: { message: String(e) } }));
    setPending(false);
    if (result?.error) {
      setMessage({ ok: false, text: 'No passkey was added. Your browser or device may not support passkeys here.' });
      return;
    }
    setMessage({ ok: true, text: 'Passkey added. You can now sign in with it.' });
    router.refresh();
  };

  return (
    <>
      <button
        type="button"
        onClick={() => !pending && void add()}
        aria-disabled={pending || undefined}
        aria-busy={pending || undefined}
      >
        Add a passkey
      </button>
      <p
        role="status"
        className={message ? `status ${message.ok ? 'status-success' : 'status-rejected'}` : 'visually-hidden'}
      >
        {message?.text}
      </p>
    </>
  );
}
