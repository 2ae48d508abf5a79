import { describe, expect, it } from 'vitest';
import { allowedHosts, allowedOrigins, crossSiteReason, hasSessionCookie, isAllowedOrigin } from './origins';

describe('allowed origins', () => {
  it('APP_ORIGIN first, then BETTER_AUTH_URL and IDEM_TRUSTED_ORIGINS; default the local URL', () => {
    expect(allowedOrigins({})).toEqual(['http://localhost:3000']);
    expect(allowedOrigins({ PORT: 3301 })).toEqual(['http://localhost:3301']);
    expect(
      allowedOrigins({
        APP_ORIGIN: 'https://Bank.example/',
        BETTER_AUTH_URL: 'https://auth.bank.example',
        IDEM_TRUSTED_ORIGINS: 'http://127.0.0.1:3000',
      }),
    ).toEqual(['https://bank.example', 'https://auth.bank.example', 'http://127.0.0.1:3000']);
    expect(allowedHosts({ APP_ORIGIN: 'https://bank.example:8443' })).toEqual(['bank.example:8443']);
    expect(() => allowedOrigins({ APP_ORIGIN: 'bank.example' })).toThrow(/APP_ORIGIN/);
  });

  it('an Origin matches only in full: scheme, host and port', () => {
    const allowed = ['https://bank.example'];
    expect(isAllowedOrigin('https://bank.example', allowed)).toBe(true);
    for (const origin of [
      'http://bank.example',
      'https://bank.example:444',
      'https://www.bank.example',
      'https://bank.example.evil',
      'https://bank.example/path',
      'junk',
    ])
      expect(isAllowedOrigin(origin, allowed), origin).toBe(false);
  });
});

describe('crossSiteReason', () => {
  const allowed = ['https://bank.example'];
  it('a missing Origin is refused only with ambient credentials', () => {
    expect(crossSiteReason({ origin: null, secFetchSite: null, ambientCredentials: true }, allowed)).toMatch(
      /Origin header/,
    );
    expect(crossSiteReason({ origin: null, secFetchSite: null, ambientCredentials: false }, allowed)).toBeNull();
    expect(crossSiteReason({ origin: 'null', secFetchSite: null, ambientCredentials: false }, allowed)).toMatch(
      /opaque/,
    );
    expect(
      crossSiteReason(
        { origin: 'https://bank.example', secFetchSite: 'cross-site', ambientCredentials: false },
        allowed,
      ),
    ).toMatch(/Sec-Fetch-Site/);
  });

  it('recognises the session cookie, plain or __Secure-', () => {
    expect(hasSessionCookie('theme=dark; idem.session_token=abc')).toBe(true);
    expect(hasSessionCookie('__Secure-idem.session_token=abc')).toBe(true);
    expect(hasSessionCookie('xidem.session_token=abc')).toBe(false);
    expect(hasSessionCookie(null)).toBe(false);
  });
});
