import type { FormResult } from '@/lib/accounts/form-schemas';

/** The form-level outcome: a confirmation, a business rejection or a "try again". */
export function FormStatus({ result }: { result: FormResult | null }) {
  if (!result || result.status === 'invalid') return null;
  if (result.status === 'success') {
    return (
      <p className="status status-success" role="status" data-testid="form-success">
        {result.message}
      </p>
    );
  }
  return (
    <p className={`status status-${result.status}`} role="alert" data-testid="form-error">
      {result.message}
    </p>
  );
}
