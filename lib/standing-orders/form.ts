import 'server-only';
import { parseAccountNumber, type AccountNumber } from '@/lib/accounts/domain/account-number';
import { parseAmount, type Cents } from '@/lib/domain/money';
import { addDays, EVERY, isDay, type Every } from '@/lib/standing-orders/domain/schedule';

// The "New standing order" form's fields, checked the same way on the review page and on
// confirmation: one message per field, in the customer's words.

export type StandingOrderFields = { toAccountNumber: string; amount: string; every: string; firstPaymentOn: string };
export type FieldErrors = Partial<Record<keyof StandingOrderFields, string>>;
export type CheckedFields =
  | {
      ok: true;
      value: { toAccountNumber: AccountNumber; amountCents: Cents; every: Every; firstPaymentOn: string };
    }
  | { ok: false; errors: FieldErrors };

export const EVERY_LABELS: Record<Every, string> = {
  week: 'week',
  month: 'month',
  'month-end': 'last day of the month',
};

export function checkFields(fields: StandingOrderFields, today: string): CheckedFields {
  const errors: FieldErrors = {};
  const number = parseAccountNumber(fields.toAccountNumber);
  if (!number.ok)
    errors.toAccountNumber =
      number.problem === 'check-digit'
        ? 'This is not a valid account number: check the digits'
        : 'Enter the 12-digit account number';
  const amount = parseAmount(fields.amount);
  if (!amount.ok) errors.amount = amount.error.message;
  if (!EVERY.includes(fields.every as Every)) errors.every = 'Choose week, month or last day of the month';
  if (!isDay(fields.firstPaymentOn)) errors.firstPaymentOn = 'Enter a date';
  else if (fields.firstPaymentOn < today) errors.firstPaymentOn = 'The first payment cannot be in the past';
  else if (fields.firstPaymentOn > addDays(today, 366))
    errors.firstPaymentOn = 'The first payment must be within a year';
  if (!number.ok || !amount.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      toAccountNumber: number.value,
      amountCents: amount.cents,
      every: fields.every as Every,
      firstPaymentOn: fields.firstPaymentOn,
    },
  };
}

/** "31 Jan 2027": a calendar day as people read it (the day itself, no time zone to shift it). */
export const formatDay = (day: string) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
