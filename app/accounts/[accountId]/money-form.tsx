'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { depositAction, withdrawAction } from '@/app/actions';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import { useCommandSubmit, useHydrated } from '@/app/components/use-command-submit';
import { moneyMovementSchema } from '@/lib/accounts/form-schemas';

const schema = moneyMovementSchema.pick({ amount: true });
type Input = z.input<typeof schema>;
type Output = z.output<typeof schema>;

const actions = { Deposit: depositAction, Withdraw: withdrawAction } as const;

/** The "Deposit" and "Withdraw" forms: same behaviour, different action. */
export function MoneyForm({ accountId, kind }: { accountId: string; kind: keyof typeof actions }) {
  const hydrated = useHydrated();
  const action = actions[kind];
  const { submit, result } = useCommandSubmit<{ amount: string }>((input) => action({ ...input, accountId }));
  const { register, handleSubmit, setError, reset, getValues, formState } = useForm<Input, unknown, Output>({
    resolver: zodResolver(schema),
    defaultValues: { amount: '' },
  });
  const pending = formState.isSubmitting;
  const id = `${kind.toLowerCase()}-amount`;

  // The server parses the raw text again (it trusts nothing), so send what was typed, not cents.
  const onValid = async () => {
    const outcome = await submit({ amount: getValues('amount') });
    if (outcome?.status === 'invalid') setError('amount', { message: outcome.fieldErrors.amount ?? outcome.message });
    if (outcome?.status === 'success') reset();
  };

  return (
    <form aria-label={kind} className="card" onSubmit={handleSubmit(onValid)} noValidate>
      <h2>{kind}</h2>
      <Field id={id} label="Amount" inputMode="decimal" autoComplete="off" placeholder="0.00" error={formState.errors.amount?.message} {...register('amount')} />
      <button type="submit" disabled={!hydrated || pending} aria-busy={pending || undefined}>
        {kind}
      </button>
      {!hydrated ? <p className="hint">Loading…</p> : null}
      <FormStatus result={result} />
    </form>
  );
}
