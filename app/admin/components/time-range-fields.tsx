import { Field } from '@/app/components/field';
import { parseTime } from '@/lib/admin/event-filters';

/** A time as a datetime-local value (UTC): minutes, or seconds when the time has them. */
export function pickerValue(text: string, edge: 'start' | 'end'): string {
  const time = parseTime(text);
  if (!time) return '';
  const iso = time[edge].toISOString();
  return iso.slice(17, 19) === '00' ? iso.slice(0, 16) : iso.slice(0, 19);
}

/**
 * "From (UTC)" and "To (UTC)" as the browser's date-time pickers. Their values carry no zone; the
 * console reads them as UTC, like every time it shows. Both ends are inclusive.
 */
export function TimeRangeFields({
  values,
  errors,
}: {
  values: { from: string; to: string };
  errors: { from?: string; to?: string };
}) {
  return (
    <>
      <Field
        id="from"
        name="from"
        label="From (UTC)"
        type="datetime-local"
        step={1}
        defaultValue={pickerValue(values.from, 'start')}
        error={errors.from}
      />
      <Field
        id="to"
        name="to"
        label="To (UTC)"
        type="datetime-local"
        step={1}
        defaultValue={pickerValue(values.to, 'end')}
        error={errors.to}
      />
    </>
  );
}
