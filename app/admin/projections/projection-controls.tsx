'use client';

import { useActionState } from 'react';
import { projectionAction, type ProjectionActionState } from './actions';

/** Verify and Rebuild for one projection, with the result (every difference) shown below. */
export function ProjectionControls({ name }: { name: string }) {
  const [state, action, pending] = useActionState<ProjectionActionState, FormData>(projectionAction, { status: 'idle' });
  return (
    <form action={action} aria-label={`Verify or rebuild ${name}`}>
      <input type="hidden" name="projection" value={name} />
      <div className="button-row">
        <button type="submit" name="operation" value="verify" disabled={pending}>
          Verify
        </button>
        <button type="submit" name="operation" value="rebuild" disabled={pending} className="secondary">
          Rebuild
        </button>
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
      <p className={verification.differences.length === 0 ? 'status status-success' : 'status status-rejected'}>{headline}</p>
      {verification.differences.length > 0 ? (
        <ul className="differences">
          {verification.differences.slice(0, 200).map((d) => (
            <li key={`${d.kind}-${d.key}`}>
              <strong>{d.kind}</strong> <code>{d.key}</code>
              {d.expected !== undefined ? <> expected <code>{JSON.stringify(d.expected)}</code></> : null}
              {d.actual !== undefined ? <> actual <code>{JSON.stringify(d.actual)}</code></> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
