// When a standing order's payments fall due: calendar days as 'YYYY-MM-DD' strings (UTC days),
// with the arithmetic done on whole day numbers, so nothing here reads a clock or a time zone.

/** How often a standing order pays: every 7 days, every month on the first payment's day, or every month's last day. */
export type Every = 'week' | 'month' | 'month-end';
export const EVERY: readonly Every[] = ['week', 'month', 'month-end'];

/** A calendar day, 'YYYY-MM-DD'. */
export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

type Civil = { year: number; month: number; day: number };

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parse(day: Day): Civil {
  const match = DAY.exec(day);
  if (!match) throw new Error(`"${day}" is not a day (YYYY-MM-DD)`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const format = ({ year, month, day }: Civil): Day => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;

/** A real calendar day between 2000 and 2999 (a standing order's dates never need more). */
export function isDay(value: string): boolean {
  const match = DAY.exec(value);
  if (!match) return false;
  const { year, month, day } = parse(value);
  return year >= 2000 && year <= 2999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

// Days since 1970-01-01 and back (Howard Hinnant's days_from_civil / civil_from_days).
function toDayNumber({ year, month, day }: Civil): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function fromDayNumber(n: number): Civil {
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export const addDays = (day: Day, days: number): Day => format(fromDayNumber(toDayNumber(parse(day)) + days));

/** The month `months` after the day's month, on the same day of the month or that month's last day. */
function addMonths(day: Day, months: number, lastDay: boolean): Day {
  const start = parse(day);
  const index = start.year * 12 + (start.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = daysInMonth(year, month);
  return format({ year, month, day: lastDay ? last : Math.min(start.day, last) });
}

/**
 * The due day of occurrence `n` (0 for the first). Every occurrence is counted from the first
 * payment, never from the one before, so a payment on the 31st paid on 30 April is on 31 May again.
 * `month-end` pays on the last day of each month, from the month of the first payment on.
 */
export function dueDay(every: Every, firstPaymentOn: Day, n: number): Day {
  switch (every) {
    case 'week':
      return addDays(firstPaymentOn, 7 * n);
    case 'month':
      return addMonths(firstPaymentOn, n, false);
    case 'month-end':
      return addMonths(firstPaymentOn, n, true);
    default:
      return assertNever(every);
  }
}

/** The calendar day (UTC) of an instant given as an ISO string. */
export const dayOf = (iso: string): Day => iso.slice(0, 10);

function assertNever(value: never): never {
  throw new Error(`Unexpected value ${String(value)}`);
}
