'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import type { FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import { useHydrated, type CommandForm } from '@/app/components/use-command-form';
import { moneyMovementSchema, type MoneyFormState } from '@/lib/accounts/form-schemas';

const schema = moneyMovementSchema.pick({ amount: true });
type Input = z.input<typeof schema>;
type Output = z.output<typeof schema>;

const NAMES = { Deposit: 'Deposit amount', Withdraw: 'Withdrawal amount' } as const;

/**
 * "Deposit" and "Withdraw": same behaviour, different action. Rendered by the server with the key in
 * a hidden field, so it posts without JavaScript; with it, the browser checks the amount first and
 * sends the same fields to the same action.
 */
export function MoneyForm({
  accountId,
  kind,
  form,
  showResult,
  onSubmitStart,
}: {
  accountId: string;
  kind: keyof typeof NAMES;
  form: CommandForm<MoneyFormState>;
  showResult: boolean;
  onSubmitStart: () => void;
}) {
  const hydrated = useHydrated();
  const { state, formAction, send, pending, clear } = form;
  const { register, handleSubmit, setError, reset, formState } = useForm<Input, unknown, Output>({
    // No defaultValues: the form reads what the page holds, so text typed before hydration (or
    // sent back by the server after a failed post) is what it validates, never wiped.
    resolver: zodResolver(schema),
  });
  const id = `${kind.toLowerCase()}-amount`;
  const serverError = state.result?.status === 'invalid' ? state.result.fieldErrors.amount : undefined;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmitStart();
    const element = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    void handleSubmit(
      async () => {
        const outcome = await send(element, submitter);
        if (outcome?.result?.status === 'invalid') setError('amount', { message: outcome.result.fieldErrors.amount ?? outcome.result.message });
        if (outcome?.result?.status === 'success') reset({ amount: '' });
      },
      () => clear(),
    )(event);
  };

  return (
    <form
      aria-label={kind}
      id={kind.toLowerCase()}
      className="card action-card"
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      data-hydrated={hydrated || undefined}
    >
      <input type="hidden" name="commandId" value={state.commandId} />
      <input type="hidden" name="accountId" value={accountId} />
      <Field
        id={id}
        label="Amount"
        accessibleName={NAMES[kind]}
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        defaultValue={state.values.amount}
        error={formState.errors.amount?.message ?? serverError}
        {...register('amount')}
      />
      <button type="submit" aria-disabled={pending || undefined} aria-busy={pending || undefined}>
        {kind}
      </button>
      <FormStatus result={showResult ? state.result : null} />
    </form>
  );
}
