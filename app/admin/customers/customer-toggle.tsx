'use client';

import { useActionState } from 'react';
import { toggleCustomerAction, type ToggleState } from './actions';

/** "Disable customer" or "Enable customer" for one row, with what happened announced below it. */
export function CustomerToggle({ userId, name, disabled }: { userId: string; name: string; disabled: boolean }) {
  const [state, action, pending] = useActionState<ToggleState, FormData>(toggleCustomerAction, null);
  return (
    <form action={action} aria-label={`${disabled ? 'Enable' : 'Disable'} ${name}`}>
      <input type="hidden" name="userId" value={userId} />
      <button
        type="submit"
        name="operation"
        value={disabled ? 'enable' : 'disable'}
        className={disabled ? 'secondary' : 'danger'}
        aria-disabled={pending || undefined}
        onClick={(e) => pending && e.preventDefault()}
      >
        {disabled ? 'Enable customer' : 'Disable customer'}
        <span className="visually-hidden"> {name}</span>
      </button>
      <div role="status" data-testid="customer-toggle-result">
        {state ? (
          <p className={state.ok ? 'status status-success' : 'status status-rejected'}>{state.message}</p>
        ) : null}
      </div>
    </form>
  );
}
