import { describe, expect, it } from 'vitest';
import { isFreshSignIn, keyScopes, SESSION_ABSOLUTE_SECONDS, sessionExpiry, withinAbsoluteLimit } from './policy';

describe('credential policy', () => {
  it('a key without stored scopes may only read; stored scopes are read as JSON or as an object', () => {
    expect(keyScopes(null)).toEqual(['read']);
    expect(keyScopes('not json')).toEqual(['read']);
    expect(keyScopes('{"ledger":["read","write"]}')).toEqual(['read', 'write']);
    expect(keyScopes({ ledger: ['read'] })).toEqual(['read']);
    expect(keyScopes({ other: ['write'] })).toEqual(['read']);
  });

  it('a session expires the idle time from now, never after the absolute limit', () => {
    const signedIn = new Date('2026-01-01T00:00:00Z');
    expect(sessionExpiry(signedIn, new Date('2026-01-01T01:00:00Z'), 1800).toISOString()).toBe(
      '2026-01-01T01:30:00.000Z',
    );
    expect(sessionExpiry(signedIn, new Date('2026-01-01T11:50:00Z'), 1800).getTime()).toBe(
      signedIn.getTime() + SESSION_ABSOLUTE_SECONDS * 1000,
    );
    expect(withinAbsoluteLimit(signedIn, new Date('2026-01-01T11:59:00Z'))).toBe(true);
    expect(withinAbsoluteLimit(signedIn, new Date('2026-01-01T12:00:00Z'))).toBe(false);
    expect(isFreshSignIn(signedIn, new Date('2026-01-01T00:09:59Z'))).toBe(true);
    expect(isFreshSignIn(signedIn, new Date('2026-01-01T00:10:00Z'))).toBe(false);
  });
});
