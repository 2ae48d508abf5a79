import Link from 'next/link';
import { Field } from '@/app/components/field';
import { TimeRangeFields } from '@/app/admin/components/time-range-fields';
import type { ParsedEventFilter } from '@/lib/admin/event-filters';

/** A GET form: filters live in the URL, so every filtered page can be bookmarked and shared. */
export function EventFiltersForm({ parsed, types }: { parsed: ParsedEventFilter; types: readonly string[] }) {
  const { values, errors } = parsed;
  const active = Object.values(values).some(Boolean);
  return (
    <form method="get" action="/admin/events" className="filters" aria-label="Filter events">
      <Field
        id="stream"
        name="stream"
        label="Account"
        hint="An account number, a customer's email, or a stream id (account-…)"
        defaultValue={values.stream}
        placeholder="1000 0000 0000"
        error={errors.stream}
      />
      <div className="field">
        <label htmlFor="type">Event type</label>
        <select
          id="type"
          name="type"
          defaultValue={errors.type ? '' : values.type}
          aria-invalid={errors.type ? true : undefined}
          aria-describedby={errors.type ? 'type-error' : undefined}
        >
          <option value="">Any type</option>
          {types.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        {errors.type ? (
          <p id="type-error" className="field-error" role="alert">
            {errors.type}
          </p>
        ) : null}
      </div>
      <Field
        id="commandId"
        name="commandId"
        label="Command id"
        defaultValue={values.commandId}
        error={errors.commandId}
      />
      <TimeRangeFields values={values} errors={errors} />
      <div className="field">
        <button type="submit">Filter</button>
      </div>
      {active ? <Link href="/admin/events">Clear filters</Link> : null}
    </form>
  );
}
