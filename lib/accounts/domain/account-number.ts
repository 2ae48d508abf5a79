// Human account numbers: 12 digits, the last a Luhn check digit, so a mistyped digit (and almost
// every swap of two neighbours) is caught as a field error before anything is looked up.
// New accounts get the body from a database sequence (1xxxxxxxxxx); accounts opened before numbers
// existed get one derived from their id (9xxxxxxxxxx), the two ranges never meet.

declare const brand: unique symbol;
export type AccountNumber = string & { readonly [brand]: 'AccountNumber' };

const ACCOUNT_NUMBER_DIGITS = 12;
const BODY_DIGITS = ACCOUNT_NUMBER_DIGITS - 1;

/** The Luhn check digit of a string of digits. */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A body of 11 digits (from the sequence) with its check digit appended. */
export function accountNumberOf(body: bigint | number): AccountNumber {
  const digits = String(body);
  if (!/^[1-9]\d*$/.test(digits) || digits.length !== BODY_DIGITS)
    throw new Error(`An account number body has ${BODY_DIGITS} digits, got ${digits}`);
  return `${digits}${luhnCheckDigit(digits)}` as AccountNumber;
}

/** The number of an account opened before numbers existed: 9 and ten digits from its id. */
export function legacyAccountNumber(accountId: string): AccountNumber {
  const hex = accountId.replace(/-/g, '').slice(0, 13);
  const body = `9${(BigInt(`0x${hex}`) % 10_000_000_000n).toString().padStart(10, '0')}`;
  return `${body}${luhnCheckDigit(body)}` as AccountNumber;
}

export type AccountNumberProblem = 'empty' | 'format' | 'check-digit';

/** Spaces and dashes are allowed between digits ("1000 0000 0018"); the check digit must match. */
export function parseAccountNumber(
  text: string,
): { ok: true; value: AccountNumber } | { ok: false; problem: AccountNumberProblem } {
  const compact = text.replace(/[\s-]/g, '');
  if (compact === '') return { ok: false, problem: 'empty' };
  if (!/^\d+$/.test(compact) || compact.length !== ACCOUNT_NUMBER_DIGITS) return { ok: false, problem: 'format' };
  const body = compact.slice(0, -1);
  if (luhnCheckDigit(body) !== Number(compact.at(-1))) return { ok: false, problem: 'check-digit' };
  return { ok: true, value: compact as AccountNumber };
}

/** "1000 0000 0018": groups of four, as people read them aloud. */
export function formatAccountNumber(number: string): string {
  return number.replace(/(\d{4})(?=\d)/g, '$1 ');
}
