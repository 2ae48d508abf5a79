import { problem, problemResponse } from '@/lib/http/problem';

// Query parameters of the read APIs, parsed one way: each may be given once, a limit is a whole
// number in a range, and a bad one is a 400 problem naming it (never a 500 from a value PostgreSQL
// cannot hold). Shared by the admin log API and the account events API.

export type ParameterError = { parameter: string; detail: string };

export function queryReader(url: URL) {
  const errors: ParameterError[] = [];
  return {
    errors,
    fail: (parameter: string, detail: string) => void errors.push({ parameter, detail }),
    /** The parameter's one value, undefined when absent (given twice is an error). */
    single(name: string): string | undefined {
      const values = url.searchParams.getAll(name);
      if (values.length > 1) errors.push({ parameter: name, detail: `${name} may be given once` });
      return values[0];
    },
  };
}

/** `limit`: absent → `fallback`; otherwise a whole number from 1 to `max`. */
export function parseLimit(reader: ReturnType<typeof queryReader>, fallback: number, max: number): number {
  const text = reader.single('limit');
  const limit = text === undefined ? fallback : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(limit >= 1 && limit <= max)) reader.fail('limit', `limit must be a whole number from 1 to ${max}`);
  return limit;
}

/** Digits only, at most `max` (a bigint, so 20-digit text is compared exactly). */
export function parseWholeNumber(text: string, max: bigint): bigint | undefined {
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value <= max ? value : undefined;
}

export const INT4_MAX = 2n ** 31n - 1n;
export const INT8_MAX = 2n ** 63n - 1n;
export const XID8_MAX = 2n ** 64n - 1n;

export function invalidQuery(errors: ParameterError[]): Response {
  return problemResponse(problem('invalid-request', errors.map((e) => e.detail).join('; '), { errors }));
}
