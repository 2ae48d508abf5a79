'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { openAccountAction } from '@/app/actions';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import { useCommandSubmit, useHydrated } from '@/app/components/use-command-submit';
import { openAccountSchema } from '@/lib/accounts/form-schemas';

const schema = openAccountSchema.omit({ commandId: true });
type Input = z.input<typeof schema>;
type Output = z.output<typeof schema>;

export function OpenAccountForm() {
  const router = useRouter();
  const hydrated = useHydrated();
  const { submit, result } = useCommandSubmit<Input>((input) => openAccountAction(input));
  const { register, handleSubmit, setError, getValues, formState } = useForm<Input, unknown, Output>({
    resolver: zodResolver(schema),
    defaultValues: { owner: '', openingDeposit: '' },
  });
  const pending = formState.isSubmitting;

  // The server parses the raw text again (it trusts nothing), so send what was typed.
  const onValid = async () => {
    const outcome = await submit(getValues());
    if (outcome?.status === 'invalid') {
      for (const [field, message] of Object.entries(outcome.fieldErrors)) setError(field as keyof Input, { message });
    }
    if (outcome?.status === 'success') router.push(`/accounts/${outcome.accountId}`);
  };

  return (
    <form aria-label="Open account" className="card" onSubmit={handleSubmit(onValid)} noValidate>
      <h2>Open an account</h2>
      <Field id="owner" label="Account name" autoComplete="off" maxLength={200} error={formState.errors.owner?.message} {...register('owner')} />
      <Field
        id="openingDeposit"
        label="Opening deposit"
        hint="Optional, in dollars, e.g. 100.00"
        inputMode="decimal"
        autoComplete="off"
        error={formState.errors.openingDeposit?.message}
        {...register('openingDeposit')}
      />
      <button type="submit" disabled={!hydrated || pending} aria-busy={pending || undefined}>
        Open account
      </button>
      {!hydrated ? <p className="hint">Loading…</p> : null}
      <FormStatus result={result?.status === 'success' ? null : result} />
    </form>
  );
}
