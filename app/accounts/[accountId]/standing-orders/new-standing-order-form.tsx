import { Field, FieldFrame } from '@/app/components/field';
import type { FieldErrors, StandingOrderFields } from '@/lib/standing-orders/form';
import { EVERY_LABELS } from '@/lib/standing-orders/form';
import { EVERY } from '@/lib/standing-orders/domain/schedule';

/**
 * The first step of "New standing order": a plain GET form to the review page, so it works the same
 * with or without JavaScript (in the account page's dialog, or on its own page). The key rides
 * along to the confirmation, so the standing order is created once however often it is confirmed.
 */
export function NewStandingOrderForm({
  accountId,
  values,
  errors,
  commandKey,
  today,
}: {
  accountId: string;
  values: StandingOrderFields;
  errors: FieldErrors;
  commandKey: string;
  today: string;
}) {
  return (
    <form
      method="get"
      action={`/accounts/${accountId}/standing-orders/new`}
      aria-label="New standing order"
      className="card action-card"
      noValidate
    >
      <input type="hidden" name="key" value={commandKey} />
      <input type="hidden" name="step" value="review" />
      <Field
        id="so-to-number"
        name="toAccountNumber"
        label="Pay to account number"
        inputMode="numeric"
        autoComplete="off"
        placeholder="1000 0000 0000"
        defaultValue={values.toAccountNumber}
        error={errors.toAccountNumber}
      />
      <Field
        id="so-amount"
        name="amount"
        label="Amount"
        accessibleName="Standing order amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        defaultValue={values.amount}
        error={errors.amount}
      />
      <FieldFrame id="so-every" label="Every" error={errors.every}>
        {(aria) => (
          <select id="so-every" name="every" defaultValue={values.every || 'month'} {...aria}>
            {EVERY.map((every) => (
              <option key={every} value={every}>
                {EVERY_LABELS[every]}
              </option>
            ))}
          </select>
        )}
      </FieldFrame>
      <Field
        id="so-first"
        name="firstPaymentOn"
        label="First payment on"
        type="date"
        min={today}
        defaultValue={values.firstPaymentOn || today}
        error={errors.firstPaymentOn}
      />
      <button type="submit">Review standing order</button>
    </form>
  );
}
