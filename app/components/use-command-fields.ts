'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import type { FormEvent } from 'react';
import { useForm, type FieldValues } from 'react-hook-form';
import type { z } from 'zod';
import { useHydrated, type CommandForm } from '@/app/components/use-command-form';
import type { FormResult } from '@/lib/accounts/form-schemas';

type Values = Record<string, string>;
type State = { result: FormResult | null; commandId: string; values: Values };
type Schema = z.ZodType<FieldValues, Values>;

type SubmitOptions<S> = {
  /** Check the fields in the browser first (the default); false posts as they are. */
  validate?: boolean;
  /** Called as the submission starts, before the browser checks anything. */
  onStart?: () => void;
  /** The server's answer, after its field errors have been put on the fields. */
  onOutcome?: (outcome: S) => void;
};

/**
 * The field wiring of a command form: react-hook-form checks the fields with the same schema as the
 * server action, each field shows the browser's error or else the server's, the server's field
 * errors land on the fields, and the form and its submit button carry the pending state. Without
 * JavaScript none of this runs and the form posts as it is.
 */
export function useCommandFields<S extends State>(schema: Schema, form: CommandForm<S>) {
  const hydrated = useHydrated();
  const { state, formAction, send, pending, clear } = form;
  // No defaultValues: the form reads what the page holds, so text typed before hydration (or
  // sent back by the server after a failed post) is what it validates, never wiped.
  const methods = useForm<Values, unknown, FieldValues>({ resolver: zodResolver(schema) });
  const serverErrors = state.result?.status === 'invalid' ? state.result.fieldErrors : {};
  type Name = Extract<keyof S['values'], string>;

  /** The props of one `<Field>`: what was typed, its error, and react-hook-form's wiring. */
  const field = (name: Name) => ({
    defaultValue: state.values[name],
    error: methods.formState.errors[name]?.message ?? serverErrors[name],
    ...methods.register(name),
  });

  const submit = (
    event: FormEvent<HTMLFormElement>,
    { validate = true, onStart, onOutcome }: SubmitOptions<S> = {},
  ) => {
    event.preventDefault();
    onStart?.();
    const element = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const go = async () => {
      const outcome = await send(element, submitter);
      if (!outcome) return;
      const result = outcome.result;
      if (result?.status === 'invalid') {
        for (const name of Object.keys(state.values) as Name[]) {
          if (result.fieldErrors[name]) methods.setError(name, { message: result.fieldErrors[name] });
        }
      }
      onOutcome?.(outcome);
    };
    if (validate) void methods.handleSubmit(go, () => clear())(event);
    else void go();
  };

  /** The `<form>`'s own props; `onSubmit` decides how a submission goes (usually through `submit`). */
  const formProps = (onSubmit: (event: FormEvent<HTMLFormElement>) => void) => ({
    action: formAction,
    onSubmit,
    noValidate: true,
    'data-hydrated': hydrated || undefined,
  });

  /** The submit button's pending state: aria-disabled, not disabled, so the focus stays on it. */
  const busy = { 'aria-disabled': pending || undefined, 'aria-busy': pending || undefined };

  return { state, pending, field, submit, formProps, busy, methods };
}
