'use client';

import { useActionState } from 'react';
import { signInAction, type SignInState } from '@/app/admin/actions';

/** Works before hydration too: the action is a plain form POST that re-renders with the error. */
export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, { error: null, email: '' });
  return (
    <form action={action} className="card sign-in" aria-label="Sign in" aria-describedby={state.error ? 'sign-in-error' : undefined}>
      {state.error ? (
        <p id="sign-in-error" className="status status-rejected" role="alert">
          {state.error}
        </p>
      ) : null}
      <input type="hidden" name="next" value={next} />
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.email} key={state.email} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <button type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
