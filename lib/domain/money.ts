// Money is an integer number of cents everywhere. Parsing and formatting work on digit strings,
// never on floating point, so "0.29" is 29 cents and not 28.999999999999996.

export type Cents = number;

/** The largest amount a single deposit, withdrawal or opening deposit may move: $1,000,000.00. */
export const MAX_AMOUNT_CENTS: Cents = 100_000_000;

type AmountError =
  | { code: 'required'; message: string }
  | { code: 'format'; message: string }
  | { code: 'negative'; message: string }
  | { code: 'too-many-decimals'; message: string }
  | { code: 'not-positive'; message: string }
  | { code: 'too-large'; message: string };

export type AmountParse = { ok: true; cents: Cents } | { ok: false; error: AmountError };

export type ParseAmountOptions = {
  /** Accept 0 (an optional opening deposit may be zero). Default: false. */
  allowZero?: boolean;
  /**
   * Accept thousands separators ("1,000.00"). Forms accept them, correctly grouped only, so
   * "1,00" is rejected rather than guessed at; the JSON API does not (it takes "1000.00").
   */
  allowGrouping?: boolean;
};

const GROUPED = /^\d{1,3}(,\d{3})+$/;
const PLAIN = /^\d+$/;

const AMOUNT_FORMAT_HINT = 'Enter an amount in dollars, like 12.34';

export function parseAmount(input: string, options: ParseAmountOptions = {}): AmountParse {
  const { allowZero = false, allowGrouping = true } = options;
  const fail = (code: AmountError['code'], message: string): AmountParse => ({
    ok: false,
    error: { code, message } as AmountError,
  });

  const text = input.trim().replace(/^\$/, '');
  if (text === '') return fail('required', 'Enter an amount');
  if (text.startsWith('-')) return fail('negative', 'Amount cannot be negative');

  const [whole = '', fraction, ...rest] = text.split('.');
  if (rest.length > 0 || whole === '')
    return fail('format', `${AMOUNT_FORMAT_HINT} (digits and at most one decimal point)`);
  const grouped = GROUPED.test(whole);
  if (grouped && !allowGrouping)
    return fail('format', `${AMOUNT_FORMAT_HINT} without thousands separators, like 1000.00`);
  if (!grouped && !PLAIN.test(whole)) {
    const hint = whole.includes(',') ? ' (commas must separate groups of three digits, like 1,000.00)' : '';
    return fail('format', `${AMOUNT_FORMAT_HINT}${hint}`);
  }
  if (fraction !== undefined && !/^\d{1,2}$/.test(fraction)) {
    return /^\d+$/.test(fraction)
      ? fail('too-many-decimals', 'Amount can have at most 2 decimal places')
      : fail('format', AMOUNT_FORMAT_HINT);
  }

  const dollars = whole.replaceAll(',', '').replace(/^0+(?=\d)/, '');
  // Anything longer than the limit's digits is too large; checking length first keeps the
  // arithmetic below within safe integers whatever the input length.
  if (dollars.length > String(MAX_AMOUNT_CENTS / 100).length) return fail('too-large', tooLarge());
  const cents = Number(dollars) * 100 + Number((fraction ?? '').padEnd(2, '0'));
  if (cents > MAX_AMOUNT_CENTS) return fail('too-large', tooLarge());
  if (cents === 0 && !allowZero) return fail('not-positive', 'Amount must be greater than zero');
  return { ok: true, cents };
}

function tooLarge(): string {
  return `Amount can be at most ${formatUsd(MAX_AMOUNT_CENTS)}`;
}

/** The sign, whole-unit digits and two cent digits of an amount: working on the digits keeps bigints exact. */
function centsParts(cents: Cents | bigint): { sign: string; whole: string; fraction: string } {
  if (typeof cents === 'number' && !Number.isSafeInteger(cents))
    throw new RangeError(`Not a whole number of cents: ${cents}`);
  const negative = cents < 0;
  const digits = (negative ? String(cents).slice(1) : String(cents)).padStart(3, '0');
  return { sign: negative ? '-' : '', whole: digits.slice(0, -2), fraction: digits.slice(-2) };
}

/** `$1,234.56`, `-$0.05`. Exact for every safe integer, and for any bigint (sums past 2^53 cents). */
export function formatUsd(cents: Cents | bigint): string {
  const { sign, whole, fraction } = centsParts(cents);
  return `${sign}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/** `formatUsd` for sums that may pass 2^53 cents (totals across accounts): exact for any bigint. */
export function formatUsdTotal(cents: bigint): string {
  return formatUsd(cents);
}

/** `1234.56`: the plain decimal string the JSON API uses. */
export function formatDecimal(cents: Cents): string {
  const { sign, whole, fraction } = centsParts(cents);
  return `${sign}${whole}.${fraction}`;
}
