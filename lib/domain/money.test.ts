import { describe, expect, it } from 'vitest';
import { formatDecimal, formatUsd, formatUsdTotal, MAX_AMOUNT_CENTS, parseAmount } from './money';

describe('parseAmount', () => {
  it.each([
    ['12.3', 1230],
    ['12.30', 1230],
    ['0.01', 1],
    ['1,000.00', 100_000],
    ['123,456', 12_345_600],
    ['  42  ', 4200],
    ['$5', 500],
    ['007.5', 750],
    ['0.29', 29],
    ['1000000', 100_000_000],
    ['1,000,000.00', MAX_AMOUNT_CENTS],
  ])('accepts %j as %d cents', (input, cents) => {
    expect(parseAmount(input)).toEqual({ ok: true, cents });
  });

  it.each([
    ['abc', 'format'],
    ['-5', 'negative'],
    ['0', 'not-positive'],
    ['0.00', 'not-positive'],
    ['1.234', 'too-many-decimals'],
    ['1e3', 'format'],
    ['NaN', 'format'],
    ['Infinity', 'format'],
    ['', 'required'],
    ['  ', 'required'],
    ['99999999999', 'too-large'],
    ['1000000.01', 'too-large'],
    ['1,00', 'format'],
    ['1,0000.00', 'format'],
    ['12.', 'format'],
    ['.5', 'format'],
    ['1.2.3', 'format'],
    ['+5', 'format'],
    ['0x10', 'format'],
    ['１２', 'format'],
    ['12 34', 'format'],
    ['9'.repeat(400), 'too-large'],
  ])('rejects %j with %s', (input, code) => {
    const parsed = parseAmount(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.message.length).toBeGreaterThan(5);
    }
  });

  it('says why a badly grouped number is rejected', () => {
    const parsed = parseAmount('1,00');
    expect(!parsed.ok && parsed.error.message).toMatch(/groups of three digits/);
  });

  it('accepts zero only when asked (optional opening deposit)', () => {
    expect(parseAmount('0', { allowZero: true })).toEqual({ ok: true, cents: 0 });
    expect(parseAmount('0.00', { allowZero: true })).toEqual({ ok: true, cents: 0 });
  });

  it('rejects thousands separators when grouping is off (the JSON API)', () => {
    const parsed = parseAmount('1,000.00', { allowGrouping: false });
    expect(!parsed.ok && parsed.error).toMatchObject({ code: 'format', message: expect.stringMatching(/1000\.00/) });
  });

  it('round-trips every cent value through formatDecimal exactly', () => {
    for (let cents = 1; cents <= 100_000; cents += 7) {
      expect(parseAmount(formatDecimal(cents))).toEqual({ ok: true, cents });
    }
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [1, '$0.01'],
    [10, '$0.10'],
    [123_456, '$1,234.56'],
    [100_000_000, '$1,000,000.00'],
    [-5, '-$0.05'],
    [Number.MAX_SAFE_INTEGER, '$90,071,992,547,409.91'],
  ])('formats %d cents as %s', (cents, text) => {
    expect(formatUsd(cents)).toBe(text);
  });

  it('refuses fractions of a cent', () => {
    expect(() => formatUsd(1.5)).toThrow(RangeError);
  });
});

describe('formatUsdTotal', () => {
  it.each([
    [0n, '$0.00'],
    [5n, '$0.05'],
    [123_456n, '$1,234.56'],
    [-5n, '-$0.05'],
    [BigInt(Number.MAX_SAFE_INTEGER) + 2n, '$90,071,992,547,409.93'],
    [10n ** 20n + 1n, '$1,000,000,000,000,000,000.01'],
  ])('formats %s cents as %s, exactly past 2^53', (cents, text) => {
    expect(formatUsdTotal(cents)).toBe(text);
  });

  it('agrees with formatUsd wherever both apply', () => {
    for (const cents of [0, 7, 99, 100, 101, 123_456_789, -42, Number.MAX_SAFE_INTEGER])
      expect(formatUsdTotal(BigInt(cents))).toBe(formatUsd(cents));
  });
});

describe('formatDecimal', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [123_456, '1234.56'],
  ])('formats %d cents as %s', (cents, text) => {
    expect(formatDecimal(cents)).toBe(text);
  });
});

describe('formatUsd of a bigint (sums past 2^53 cents)', () => {
  it('is exact to the cent, signs and grouping as for numbers', () => {
    expect(formatUsd(2n ** 63n - 1n)).toBe('$92,233,720,368,547,758.07');
    expect(formatUsd(-5n)).toBe('-$0.05');
    expect(formatUsd(123456n)).toBe(formatUsd(123456));
  });
});
