'use client';

import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { openAccountAction } from '@/app/accounts/actions';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import { useCommandForm } from '@/app/components/use-command-form';
import { useCommandFields } from '@/app/components/use-command-fields';
import { openAccountSchema, type OpenAccountFormState } from '@/lib/accounts/form-schemas';

const schema = openAccountSchema.omit({ commandId: true });

/**
 * "Open account". Posted without JavaScript, the action redirects to the new account; with it, the
 * browser checks the fields first and then goes there itself. The account page confirms the opening.
 */
export function OpenAccountForm({ commandId }: { commandId: string }) {
  const router = useRouter();
  const initial: OpenAccountFormState = {
    result: null,
    values: { owner: '', openingDeposit: '' },
    commandId,
    highlight: null,
  };
  const form = useCommandForm(openAccountAction, initial);
  const { state, field, submit, formProps, busy } = useCommandFields(schema, form);
  const onSubmit = (event: FormEvent<HTMLFormElement>) =>
    submit(event, {
      onOutcome: ({ result }) => {
        if (result?.status === 'success') router.push(`/accounts/${result.accountId}`);
      },
    });

  return (
    <form aria-label="Open account" className="card" {...formProps(onSubmit)}>
      <h2>Open an account</h2>
      <input type="hidden" name="commandId" value={state.commandId} />
      <Field id="owner" label="Account name" autoComplete="off" maxLength={200} {...field('owner')} />
      <Field
        id="openingDeposit"
        label="Opening deposit"
        hint="Optional, in dollars, e.g. 100.00"
        inputMode="decimal"
        autoComplete="off"
        {...field('openingDeposit')}
      />
      <button type="submit" {...busy}>
        Open account
      </button>
      {/* A success navigates to the new account, which confirms it; only problems stay here. */}
      <FormStatus result={state.result?.status === 'success' ? null : state.result} />
    </form>
  );
}
