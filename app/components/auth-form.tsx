'use client';

import type { ReactNode } from 'react';
import { useHydrated } from '@/app/components/use-command-form';

type AuthFormProps = {
  /** The form's accessible name ("Sign in", "Create account", …). */
  name: string;
  /** Prefix of the error's element id (`<id>-error`), which tests and aria-describedby use. */
  id: string;
  action: (form: FormData) => void;
  pending: boolean;
  error: string | null;
  submit: string;
  /** The fields, hidden inputs included. */
  children: ReactNode;
  className?: string;
};

/**
 * The one shell of the identity forms (sign in, sign up, forgot, reset and change password, resend
 * verification): a server action that works without JavaScript (a plain POST answered with the
 * page), a form-level error announced and tied to the form, and a submit button that stays
 * focusable while pending (aria-disabled, not disabled).
 */
export function AuthForm({
  name,
  id,
  action,
  pending,
  error,
  submit,
  children,
  className = 'card auth-form',
}: AuthFormProps) {
  const hydrated = useHydrated();
  return (
    <form
      action={action}
      onSubmit={(event) => pending && event.preventDefault()}
      data-hydrated={hydrated || undefined}
      className={className}
      aria-label={name}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      {error ? (
        <p id={`${id}-error`} className="status status-rejected" role="alert">
          {error}
        </p>
      ) : null}
      {children}
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        {submit}
      </button>
    </form>
  );
}

/** A confirmation after an identity form, with the local inbox's link when mail stays on this machine. */
export function AuthNotice({ children, inboxUrl }: { children: ReactNode; inboxUrl?: string | null }) {
  return (
    <div className="card auth-form" role="status" data-testid="auth-notice">
      <p className="status status-success">{children}</p>
      {inboxUrl ? (
        <p>
          Mail stays on this machine: <a href={inboxUrl}>Open the local inbox</a>
        </p>
      ) : null}
    </div>
  );
}
