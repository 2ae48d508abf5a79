import type { FormResult } from '@/lib/accounts/form-schemas';

/**
 * The form-level outcome: a confirmation, a business rejection or a "try again". The live region is
 * on the page before any message arrives (screen readers announce only changes to a region they
 * already know), and it is emptied when a new submission starts.
 */
export function FormStatus({ result, id }: { result: FormResult | null; id?: string }) {
  const shown = result && result.status !== 'invalid' ? result : null;
  return (
    <div className="status-region" aria-live="polite" aria-atomic="true" id={id} tabIndex={-1}>
      {shown?.status === 'success' ? (
        <p className="status status-success" role="status" data-testid="form-success">
          {shown.message}
        </p>
      ) : shown ? (
        <p className={`status status-${shown.status}`} role="alert" data-testid="form-error">
          {shown.message}
        </p>
      ) : null}
    </div>
  );
}
