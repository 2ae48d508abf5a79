'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { transferAction } from '@/app/actions';
import { FormStatus } from '@/app/components/form-status';
import { useCommandSubmit, useHydrated } from '@/app/components/use-command-submit';
import { Field } from '@/app/components/field';
import { transferFields } from '@/lib/accounts/form-schemas';

const schema = transferFields.pick({ toAccountId: true, amount: true });
type Input = z.input<typeof schema>;
type Output = z.output<typeof schema>;

export type TransferTarget = { accountId: string; owner: string };

/** The "Transfer" form: same command-id, pending and error behaviour as Deposit and Withdraw. */
export function TransferForm({ accountId, targets }: { accountId: string; targets: TransferTarget[] }) {
  const hydrated = useHydrated();
  const { submit, result } = useCommandSubmit<Input>((input) => transferAction({ ...input, fromAccountId: accountId }));
  const { register, handleSubmit, setError, reset, getValues, formState } = useForm<Input, unknown, Output>({
    resolver: zodResolver(schema),
    defaultValues: { toAccountId: '', amount: '' },
  });
  const pending = formState.isSubmitting;
  const error = formState.errors.toAccountId?.message;

  const onValid = async () => {
    const outcome = await submit(getValues());
    if (outcome?.status === 'invalid') {
      for (const [field, message] of Object.entries(outcome.fieldErrors)) {
        if (field === 'toAccountId' || field === 'amount') setError(field, { message });
      }
    }
    if (outcome?.status === 'success') reset();
  };

  return (
    <form aria-label="Transfer" className="card" onSubmit={handleSubmit(onValid)} noValidate>
      <h2>Transfer</h2>
      <div className="field">
        <label htmlFor="transfer-to">To account</label>
        <select id="transfer-to" aria-invalid={error ? true : undefined} aria-describedby={error ? 'transfer-to-error' : undefined} {...register('toAccountId')}>
          <option value="">Choose an account…</option>
          {targets.map((t) => (
            <option key={t.accountId} value={t.accountId}>
              {t.owner} ({t.accountId.slice(0, 8)})
            </option>
          ))}
        </select>
        {error ? (
          <p id="transfer-to-error" className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <Field id="transfer-amount" label="Amount" inputMode="decimal" autoComplete="off" placeholder="0.00" error={formState.errors.amount?.message} {...register('amount')} />
      <button type="submit" disabled={!hydrated || pending || targets.length === 0} aria-busy={pending || undefined}>
        Transfer
      </button>
      {targets.length === 0 ? <p className="hint">Open another account to transfer to.</p> : null}
      {!hydrated ? <p className="hint">Loading…</p> : null}
      <FormStatus result={result} />
    </form>
  );
}
