import { describe, expect, it } from 'vitest';
import {
  accountNumberOf,
  formatAccountNumber,
  legacyAccountNumber,
  luhnCheckDigit,
  parseAccountNumber,
} from './account-number';

describe('account numbers', () => {
  it('append a Luhn check digit to an 11-digit body', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example
    expect(accountNumberOf(10_000_000_000n)).toBe('100000000008');
    expect(parseAccountNumber('100000000008')).toEqual({ ok: true, value: '100000000008' });
  });

  it('accept spaces and dashes between digits', () => {
    expect(parseAccountNumber(' 1000 0000-0008 ')).toEqual({ ok: true, value: '100000000008' });
    expect(formatAccountNumber('100000000008')).toBe('1000 0000 0008');
  });

  it('catch every single mistyped digit', () => {
    const number = accountNumberOf(12_345_678_901n);
    for (let i = 0; i < number.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === number[i]) continue;
        const typo = `${number.slice(0, i)}${d}${number.slice(i + 1)}`;
        expect(parseAccountNumber(typo)).toEqual({ ok: false, problem: 'check-digit' });
      }
    }
  });

  it('catch swapped neighbours (except 0↔9, Luhn’s known blind spot)', () => {
    const number = accountNumberOf(12_345_678_901n);
    for (let i = 0; i + 1 < number.length; i++) {
      const [a, b] = [number[i]!, number[i + 1]!];
      if (a === b || `${a}${b}` === '09' || `${a}${b}` === '90') continue;
      const swapped = `${number.slice(0, i)}${b}${a}${number.slice(i + 2)}`;
      expect(parseAccountNumber(swapped).ok).toBe(false);
    }
  });

  it('tell empty input from a wrong length or letters', () => {
    expect(parseAccountNumber('  ')).toEqual({ ok: false, problem: 'empty' });
    expect(parseAccountNumber('12345')).toEqual({ ok: false, problem: 'format' });
    expect(parseAccountNumber('1000000000O8')).toEqual({ ok: false, problem: 'format' });
    expect(parseAccountNumber('1000000000080')).toEqual({ ok: false, problem: 'format' });
  });

  it('derive a stable, valid number in the 9… range for accounts opened before numbers', () => {
    const id = '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b';
    const number = legacyAccountNumber(id);
    expect(number).toMatch(/^9\d{11}$/);
    expect(legacyAccountNumber(id)).toBe(number);
    expect(parseAccountNumber(number)).toEqual({ ok: true, value: number });
    expect(legacyAccountNumber('1b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b')).not.toBe(number);
  });

  it('refuse a body of the wrong size', () => {
    expect(() => accountNumberOf(123)).toThrow();
  });
});
