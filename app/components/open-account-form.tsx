'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { openAccountAction } from '@/app/accounts/actions';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import { useCommandForm, useHydrated } from '@/app/components/use-command-form';
import { openAccountSchema, type OpenAccountFormState } from '@/lib/accounts/form-schemas';

const schema = openAccountSchema.omit({ commandId: true });
type Input = z.input<typeof schema>;
type Output = z.output<typeof schema>;

/**
 * "Open account". Posted without JavaScript, the action redirects to the new account; with it, the
 * browser checks the fields first and then goes there itself. The account page confirms the opening.
 */
export function OpenAccountForm({ commandId }: { commandId: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const initial: OpenAccountFormState = { result: null, values: { owner: '', openingDeposit: '' }, commandId, highlight: null };
  const { state, formAction, send, pending, clear } = useCommandForm(openAccountAction, initial);
  const { register, handleSubmit, setError, formState } = useForm<Input, unknown, Output>({
    // No defaultValues: the form reads what the page holds, so text typed before hydration (or
    // sent back by the server after a failed post) is what it validates, never wiped.
    resolver: zodResolver(schema),
  });
  const serverErrors = state.result?.status === 'invalid' ? state.result.fieldErrors : {};

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    void handleSubmit(
      async () => {
        const outcome = await send(element, submitter);
        const result = outcome?.result;
        if (result?.status === 'invalid') {
          for (const field of ['owner', 'openingDeposit'] as const) if (result.fieldErrors[field]) setError(field, { message: result.fieldErrors[field] });
        }
        if (result?.status === 'success') router.push(`/accounts/${result.accountId}`);
      },
      () => clear(),
    )(event);
  };

  return (
    <form aria-label="Open account" className="card" action={formAction} onSubmit={onSubmit} noValidate data-hydrated={hydrated || undefined}>
      <h2>Open an account</h2>
      <input type="hidden" name="commandId" value={state.commandId} />
      <Field
        id="owner"
        label="Account name"
        autoComplete="off"
        maxLength={200}
        defaultValue={state.values.owner}
        error={formState.errors.owner?.message ?? serverErrors.owner}
        {...register('owner')}
      />
      <Field
        id="openingDeposit"
        label="Opening deposit"
        hint="Optional, in dollars, e.g. 100.00"
        inputMode="decimal"
        autoComplete="off"
        defaultValue={state.values.openingDeposit}
        error={formState.errors.openingDeposit?.message ?? serverErrors.openingDeposit}
        {...register('openingDeposit')}
      />
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        Open account
      </button>
      {/* A success navigates to the new account, which confirms it; only problems stay here. */}
      <FormStatus result={state.result?.status === 'success' ? null : state.result} />
    </form>
  );
}
