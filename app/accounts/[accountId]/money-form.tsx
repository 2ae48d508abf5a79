'use client';

import type { FormEvent } from 'react';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import type { CommandForm } from '@/app/components/use-command-form';
import { useCommandFields } from '@/app/components/use-command-fields';
import { moneyMovementSchema, type MoneyFormState } from '@/lib/accounts/form-schemas';

const schema = moneyMovementSchema.pick({ amount: true });

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
  const { state, field, submit, formProps, busy, methods } = useCommandFields(schema, form);
  const onSubmit = (event: FormEvent<HTMLFormElement>) =>
    submit(event, {
      onStart: onSubmitStart,
      onOutcome: ({ result }) => {
        // An error the server could not pin on the amount still belongs next to it.
        if (result?.status === 'invalid' && !result.fieldErrors.amount)
          methods.setError('amount', { message: result.message });
        if (result?.status === 'success') methods.reset({ amount: '' });
      },
    });

  return (
    <form aria-label={kind} id={kind.toLowerCase()} className="card action-card" {...formProps(onSubmit)}>
      <input type="hidden" name="commandId" value={state.commandId} />
      <input type="hidden" name="accountId" value={accountId} />
      <Field
        id={`${kind.toLowerCase()}-amount`}
        label="Amount"
        accessibleName={NAMES[kind]}
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        {...field('amount')}
      />
      <button type="submit" {...busy}>
        {kind}
      </button>
      <FormStatus result={showResult ? state.result : null} />
    </form>
  );
}
