// The admin event-history filters, parsed from the query string with messages a person can act on.
// Times without a zone are UTC (every time in the admin pages is shown in UTC). `to` is inclusive
// at the precision given: `2026-11-26` covers that whole day, `…T14:30` that whole minute.

import { parseAccountNumber, type AccountNumber } from '@/lib/accounts/domain/account-number';
import { textProblem, textProblemMessage } from '@/lib/text/plain-text';

type EventFilterInput = { stream: string; type: string; commandId: string; from: string; to: string };
/**
 * What the "Account" field names: an account by its number (spaces allowed), a customer by their
 * email (all of their accounts), or a stream id as the log writes it (`account-<uuid>`).
 */
export type AccountSelector =
  { by: 'stream'; stream: string } | { by: 'number'; number: AccountNumber } | { by: 'email'; email: string };
export type ParsedEventFilter = {
  values: EventFilterInput;
  filter: { account?: AccountSelector; type?: string; commandId?: string; from?: Date; to?: Date };
  errors: Partial<Record<keyof EventFilterInput, string>>;
};

const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const UNIT_MS = { day: 86_400_000, minute: 60_000, second: 1_000, ms: 1 } as const;
export const TIME_HINT =
  'a UTC date and time like 2026-11-26T14:30, or an ISO 8601 timestamp like 2026-11-26T14:30:00+01:00';

/** The first instant and the last millisecond a written time covers; null if it is not a real time. */
export function parseTime(text: string): { start: Date; end: Date } | null {
  const m = TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1, 7)
    .map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth || hour > 23 || minute > 59 || second > 59)
    return null;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(hh) > 14 || Number(mm) > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  }
  const start = Date.UTC(year!, month! - 1, day!, hour, minute, second, ms) - offsetMinutes * 60_000;
  const unit = m[7] ? 'ms' : m[6] ? 'second' : m[4] ? 'minute' : 'day';
  return { start: new Date(start), end: new Date(start + UNIT_MS[unit] - 1) };
}

export function parseEventFilter(
  params: Record<string, string | string[] | undefined>,
  eventTypes: readonly string[],
): ParsedEventFilter {
  const one = (name: string) => {
    const value = params[name];
    return ((Array.isArray(value) ? value[0] : value) ?? '').trim();
  };
  const values: EventFilterInput = {
    stream: one('stream'),
    type: one('type'),
    commandId: one('commandId'),
    from: one('from'),
    to: one('to'),
  };
  const errors: ParsedEventFilter['errors'] = {};
  const filter: ParsedEventFilter['filter'] = {};

  const streamProblem = textProblem(values.stream);
  if (values.stream.length > 300) errors.stream = 'Stream ids are at most 300 characters.';
  else if (streamProblem) errors.stream = textProblemMessage('A stream id has no', streamProblem);
  else if (values.stream) {
    const digits = values.stream.replace(/[\s-]/g, '');
    const number = /^\d+$/.test(digits) ? parseAccountNumber(digits) : null;
    if (number && !number.ok) errors.stream = 'That is not a valid account number (12 digits, the last a check digit).';
    else if (number?.ok) filter.account = { by: 'number', number: number.value };
    else if (values.stream.includes('@')) filter.account = { by: 'email', email: values.stream.toLowerCase() };
    else filter.account = { by: 'stream', stream: values.stream };
  }
  if (values.type && !eventTypes.includes(values.type))
    errors.type = `Unknown event type “${values.type.slice(0, 60)}”.`;
  else if (values.type) filter.type = values.type;
  if (values.commandId && !/^[\x21-\x7E]{1,255}$/.test(values.commandId))
    errors.commandId = 'A command id is 1–255 visible ASCII characters.';
  else if (values.commandId) filter.commandId = values.commandId;

  const range = parseTimeRange(values);
  return { values, filter: { ...filter, ...range.filter }, errors: { ...errors, ...range.errors } };
}

/** `from` and `to` (both optional, inclusive at the precision given), with a message per bad field. */
export function parseTimeRange(values: { from: string; to: string }): {
  filter: { from?: Date; to?: Date };
  errors: { from?: string; to?: string };
} {
  const errors: { from?: string; to?: string } = {};
  const filter: { from?: Date; to?: Date } = {};
  const from = values.from ? parseTime(values.from) : null;
  const to = values.to ? parseTime(values.to) : null;
  if (values.from && !from) errors.from = `“From” must be ${TIME_HINT}.`;
  if (values.to && !to) errors.to = `“To” must be ${TIME_HINT}.`;
  if (from) filter.from = from.start;
  if (to) filter.to = to.end;
  if (from && to && from.start > to.end) errors.to = '“To” must not be before “From”.';
  return { filter, errors };
}
