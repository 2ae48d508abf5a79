import { describe, expect, it } from 'vitest';
import { toCents } from './apply';

describe('toCents', () => {
  it('reads the public schema decimal strings back to integer cents, exactly', () => {
    expect(toCents('0.00')).toBe(0);
    expect(toCents('12.50')).toBe(1_250);
    expect(toCents('1000000.01')).toBe(100_000_001);
    expect(toCents('-3.07')).toBe(-307);
  });
  it('refuses anything that is not a 2-place decimal', () => {
    for (const bad of ['12.5', '12', '1,000.00', '12.500', ' 1.00', '1e3']) expect(() => toCents(bad)).toThrow();
  });
});
