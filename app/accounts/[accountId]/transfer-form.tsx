'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Field } from '@/app/components/field';
import { FormStatus } from '@/app/components/form-status';
import type { CommandForm } from '@/app/components/use-command-form';
import { useCommandFields } from '@/app/components/use-command-fields';
import { REFERENCE_MAX_LENGTH } from '@/lib/accounts/domain/transfer';
import { transferSchema, type TransferFormState } from '@/lib/accounts/form-schemas';

const schema = transferSchema.pick({ toAccountNumber: true, amount: true, reference: true });
type Focus = 'review' | 'status' | 'toAccountNumber' | 'amount' | 'reference' | null;

/**
 * "Transfer": the recipient's account number and the amount, then a review that shows the
 * recipient's masked name, then "Confirm transfer". The three buttons post one form (`intent`), with
 * or without JavaScript; without it the review is a page the server renders, carrying the fields
 * and the key as hidden inputs. The key is fixed when the form is first shown and survives the
 * review, so a double-click on "Confirm transfer" or a re-posted review moves money once.
 */
export function TransferForm({
  accountId,
  form,
  showResult,
  onSubmitStart,
}: {
  accountId: string;
  form: CommandForm<TransferFormState>;
  showResult: boolean;
  onSubmitStart: () => void;
}) {
  const { state, pending, field, submit, formProps, busy, methods } = useCommandFields(schema, form);
  const { setFocus } = methods;
  // Focus follows the step, so keyboard and screen-reader users are never dropped on the page body.
  const [focus, setFocusTarget] = useState<{ target: Focus }>({ target: null });
  const reviewRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus.target === 'review') reviewRef.current?.focus();
    if (focus.target === 'status') document.getElementById('transfer-status')?.focus();
    if (focus.target === 'toAccountNumber' || focus.target === 'amount' || focus.target === 'reference')
      setFocus(focus.target);
  }, [focus, setFocus]);

  const review = state.review;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const intent =
      (event.nativeEvent as SubmitEvent).submitter?.getAttribute('value') ?? (review ? 'confirm' : 'review');
    submit(event, {
      // Only the first step checks the fields: the review carries them as hidden inputs.
      validate: intent === 'review',
      onStart: onSubmitStart,
      onOutcome: (outcome) => {
        const result = outcome.result;
        if (result?.status === 'success') methods.reset({ toAccountNumber: '', amount: '', reference: '' });
        const errors = result?.status === 'invalid' ? result.fieldErrors : {};
        const badField = errors.toAccountNumber
          ? 'toAccountNumber'
          : errors.amount
            ? 'amount'
            : errors.reference
              ? 'reference'
              : 'toAccountNumber';
        setFocusTarget({
          target: outcome.review ? 'review' : result && result.status !== 'invalid' ? 'status' : badField,
        });
      },
    });
  };

  return (
    <form aria-label="Transfer" id="transfer" className="card action-card" {...formProps(onSubmit)}>
      <input type="hidden" name="commandId" value={state.commandId} />
      <input type="hidden" name="fromAccountId" value={accountId} />
      {review ? (
        <div
          className="transfer-review"
          data-testid="transfer-review"
          ref={reviewRef}
          tabIndex={-1}
          aria-labelledby="transfer-question"
          aria-describedby={review.shortOf ? 'review-short' : undefined}
        >
          <input type="hidden" name="toAccountNumber" value={state.values.toAccountNumber} />
          <input type="hidden" name="amount" value={state.values.amount} />
          <input type="hidden" name="reference" value={state.values.reference} />
          <p id="transfer-question">
            Send <strong>{review.amount}</strong> to <strong data-testid="recipient-name">{review.maskedName}</strong>,
            account {review.accountNumber}?
          </p>
          {review.reference ? (
            <p data-testid="review-reference">
              Reference: <strong>{review.reference}</strong>
            </p>
          ) : null}
          {review.shortOf ? (
            <p id="review-short" className="status status-rejected" data-testid="review-short">
              Your balance, {review.shortOf.balance}, does not allow this transfer: confirming it will be refused unless
              money arrives first.
            </p>
          ) : null}
          <div className="button-row">
            <button type="submit" name="intent" value="confirm" {...busy}>
              Confirm transfer
            </button>
            <button
              type="submit"
              name="intent"
              value="change"
              className="secondary"
              aria-disabled={pending || undefined}
            >
              Change
            </button>
          </div>
        </div>
      ) : (
        <>
          <Field
            id="transfer-to-number"
            label="To account number"
            inputMode="numeric"
            autoComplete="off"
            placeholder="1000 0000 0000"
            {...field('toAccountNumber')}
          />
          <Field
            id="transfer-amount"
            label="Amount"
            accessibleName="Transfer amount"
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            {...field('amount')}
          />
          <Field
            id="transfer-reference"
            label="Reference"
            hint={`Optional: what the payment is for, up to ${REFERENCE_MAX_LENGTH} characters. The recipient sees it.`}
            autoComplete="off"
            {...field('reference')}
          />
          <button type="submit" name="intent" value="review" {...busy}>
            Review transfer
          </button>
        </>
      )}
      <FormStatus id="transfer-status" result={showResult ? state.result : null} />
    </form>
  );
}
