'use client';

import { startTransition, useActionState } from 'react';
import { ConfirmDialog } from '@/app/components/confirm-submit';
import { projectionAction, type ProjectionActionState } from './actions';

/**
 * Verify and Rebuild for one projection, with the result (every difference) shown below. Rebuild
 * asks first, in an alert dialog (Radix: focus starts on Cancel, Escape cancels, focus returns to
 * the Rebuild button), because it recomputes the whole read model from the log.
 */
export function ProjectionControls({ name, headPosition }: { name: string; headPosition: string }) {
  const [state, action, pending] = useActionState<ProjectionActionState, FormData>(projectionAction, {
    status: 'idle',
  });
  const rebuild = () => {
    const form = new FormData();
    form.set('projection', name);
    form.set('operation', 'rebuild');
    startTransition(() => action(form));
  };
  return (
    <form action={action} aria-label={`Verify or rebuild ${name}`}>
      <input type="hidden" name="projection" value={name} />
      <div className="button-row">
        {/* aria-disabled, not disabled: a disabled button would drop the keyboard user's focus to the page. */}
        <button
          type="submit"
          name="operation"
          value="verify"
          aria-disabled={pending || undefined}
          onClick={(e) => pending && e.preventDefault()}
        >
          Verify
        </button>
        <ConfirmDialog
          trigger={{
            className: 'secondary',
            'aria-disabled': pending || undefined,
            onClick: (e) => pending && e.preventDefault(),
          }}
          title={`Rebuild ${name}?`}
          description={`This recomputes ${name} from the whole event log (up to position ${headPosition}) while the app keeps serving, then swaps the new table in at once. Nothing is lost (the events are the source), but on a large log it takes a while.`}
          confirm={`Rebuild ${name}`}
          onConfirm={rebuild}
        >
          Rebuild
        </ConfirmDialog>
      </div>
      <div role="status" aria-live="polite" data-testid={`projection-result-${name}`}>
        {pending ? <p className="muted">Working…</p> : <Result state={state} />}
      </div>
    </form>
  );
}

function Result({ state }: { state: ProjectionActionState }) {
  if (state.status === 'idle') return null;
  if (state.status === 'error') return <p className="status status-rejected">{state.message}</p>;
  const { verification } = state;
  const headline =
    state.status === 'rebuilt'
      ? `Rebuilt ${state.rows} rows from the events. Verification: ${verification.differences.length} differences.`
      : verification.differences.length === 0
        ? `Verified ${verification.rowsChecked} rows: identical to a replay of the events.`
        : `${verification.differences.length} differences from a replay of the events:`;
  return (
    <>
      <p className={verification.differences.length === 0 ? 'status status-success' : 'status status-rejected'}>
        {headline}
      </p>
      {verification.differences.length > 0 ? (
        <ul className="differences">
          {verification.differences.slice(0, 200).map((d) => (
            <li key={`${d.kind}-${d.key}`}>
              <strong>{d.kind}</strong> <code>{d.key}</code>
              {d.expected !== undefined ? (
                <>
                  {' '}
                  expected <code>{JSON.stringify(d.expected)}</code>
                </>
              ) : null}
              {d.actual !== undefined ? (
                <>
                  {' '}
                  actual <code>{JSON.stringify(d.actual)}</code>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
