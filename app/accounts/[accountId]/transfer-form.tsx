'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { reviewTransferAction, transferAction } from '@/app/actions';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import { newCommandId, UNREACHABLE, useHydrated } from '@/app/components/use-command-submit';
import { transferFields, type FormResult, type TransferReview } from '@/lib/accounts/form-schemas';

const schema = transferFields.pick({ toAccountNumber: true, amount: true });
type Input = z.input<typeof schema>;
type Output = z.output<typeof schema>;
type Review = Extract<TransferReview, { status: 'review' }>;

const confirmed = (result: FormResult) => result.status === 'success' || result.status === 'rejected' || result.status === 'key-reused';

/**
 * "Transfer": the recipient's account number and the amount, then a review that shows the
 * recipient's masked name, then "Confirm transfer". The command id is fixed when the form is first
 * shown (the server rendered it) and survives the review step, so a double-click on "Confirm
 * transfer" or a resubmitted review moves money once; it is replaced only after a confirmed outcome.
 */
export function TransferForm({ accountId, commandId: initialCommandId }: { accountId: string; commandId: string }) {
  const hydrated = useHydrated();
  const commandId = useRef(initialCommandId);
  const inFlight = useRef(false);
  const [review, setReview] = useState<Review | null>(null);
  const [result, setResult] = useState<FormResult | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { register, handleSubmit, setError, reset, getValues, formState } = useForm<Input, unknown, Output>({
    resolver: zodResolver(schema),
    defaultValues: { toAccountNumber: '', amount: '' },
  });

  const showFieldErrors = (fieldErrors: Record<string, string>) => {
    for (const [field, message] of Object.entries(fieldErrors)) {
      if (field === 'toAccountNumber' || field === 'amount') setError(field, { message });
    }
  };

  const onReview = async () => {
    setResult(null);
    try {
      const answer = await reviewTransferAction({ ...getValues(), fromAccountId: accountId });
      if (answer.status === 'review') setReview(answer);
      else if (answer.status === 'invalid') showFieldErrors(answer.fieldErrors);
      else setResult(answer);
    } catch {
      setResult(UNREACHABLE);
    }
  };

  const onConfirm = async () => {
    if (inFlight.current) return; // a double-click sends once; the server would dedupe anyway
    inFlight.current = true;
    setConfirming(true);
    try {
      const outcome = await transferAction({ ...getValues(), fromAccountId: accountId, commandId: commandId.current });
      setResult(outcome);
      if (outcome.status === 'invalid') {
        setReview(null);
        showFieldErrors(outcome.fieldErrors);
      }
      if (confirmed(outcome)) {
        commandId.current = newCommandId();
        setReview(null);
        if (outcome.status === 'success') reset();
      }
    } catch {
      setResult(UNREACHABLE);
    } finally {
      inFlight.current = false;
      setConfirming(false);
    }
  };

  return (
    <form aria-label="Transfer" className="card" onSubmit={handleSubmit(onReview)} noValidate>
      <h2>Transfer</h2>
      {review ? (
        <div className="transfer-review" data-testid="transfer-review">
          <p>
            Send <strong>{review.amount}</strong> to <strong data-testid="recipient-name">{review.maskedName}</strong>, account {review.accountNumber}?
          </p>
          <button type="button" onClick={onConfirm} disabled={confirming} aria-busy={confirming || undefined}>
            Confirm transfer
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setReview(null)} disabled={confirming}>
            Change
          </button>
        </div>
      ) : (
        <>
          <Field
            id="transfer-to-number"
            label="To account number"
            inputMode="numeric"
            autoComplete="off"
            placeholder="1000 0000 0000"
            error={formState.errors.toAccountNumber?.message}
            {...register('toAccountNumber')}
          />
          <Field id="transfer-amount" label="Amount" inputMode="decimal" autoComplete="off" placeholder="0.00" error={formState.errors.amount?.message} {...register('amount')} />
          <button type="submit" disabled={!hydrated || formState.isSubmitting} aria-busy={formState.isSubmitting || undefined}>
            Review transfer
          </button>
          {!hydrated ? <p className="hint">Loading…</p> : null}
        </>
      )}
      <FormStatus result={result} />
    </form>
  );
}
