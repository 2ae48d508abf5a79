import { describe, expect, it } from 'vitest';
import { safeNextPath, signInPath } from './next-path';

describe('safeNextPath: ?next= is never an open redirect', () => {
  it('keeps same-site paths with their query and fragment', () => {
    for (const path of [
      '/',
      '/accounts/3f1c',
      '/admin/events?stream=account-1&type=MoneyWithdrawn',
      '/settings/api-keys#new',
      '/a%2Fb',
    ])
      expect(safeNextPath(path)).toBe(path);
  });

  it('refuses other origins, protocol-relative and backslash tricks, and odd characters', () => {
    const attacks = [
      'https://evil.example',
      'http://evil.example/accounts',
      '//evil.example',
      '//evil.example/accounts',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      ' /accounts',
      '/\t/evil.example',
      '/\n/evil.example',
      'javascript:alert(1)',
      'accounts',
      '',
      '/accounts/é',
      '/' + 'a'.repeat(3000),
    ];
    for (const next of attacks) expect(safeNextPath(next), JSON.stringify(next)).toBe('/');
    for (const next of [undefined, null, 42, ['/accounts']]) expect(safeNextPath(next)).toBe('/');
  });

  it('never returns to the sign-in or sign-up page (no loop)', () => {
    for (const next of ['/sign-in', '/sign-in?next=%2F', '/sign-up', '/sign-up/']) expect(safeNextPath(next)).toBe('/');
    expect(safeNextPath('/sign-instructions')).toBe('/sign-instructions');
  });

  it('signInPath encodes the target', () => {
    expect(signInPath('/accounts/1?x=1&y=2')).toBe('/sign-in?next=%2Faccounts%2F1%3Fx%3D1%26y%3D2');
    expect(signInPath('//evil.example')).toBe('/sign-in?next=%2F');
  });
});
