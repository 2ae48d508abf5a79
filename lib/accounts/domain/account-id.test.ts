import { describe, expect, it } from 'vitest';
import { isAccountId, parseAccountId } from './account-id';

describe('account ids', () => {
  it('are UUIDs, lower-cased once', () => {
    expect(parseAccountId('0B6F7A52-3F0E-4A56-9D7C-1D2A3E4F5A6B')).toBe('0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b');
    expect(isAccountId('0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b')).toBe(true);
  });

  it('anything else is not an account id', () => {
    for (const bad of [
      '',
      'abc',
      '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6',
      '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6bb',
      ' 0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b',
      'zb6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b',
    ]) {
      expect(parseAccountId(bad)).toBeNull();
      expect(isAccountId(bad)).toBe(false);
    }
  });
});
