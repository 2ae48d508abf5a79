import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, newNonce, securityHeaders } from './security-headers';

describe('the security headers of every page', () => {
  it('allow scripts only with the nonce, forbid framing, and add HSTS only over https', () => {
    const csp = contentSecurityPolicy('abc123', { https: false });
    expect(csp).toContain(`script-src 'self' 'nonce-abc123' 'strict-dynamic'`);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain(`frame-ancestors 'none'`);
    expect(csp).toContain(`object-src 'none'`);
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(securityHeaders({ https: false })).toEqual({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'x-frame-options': 'DENY',
    });
    expect(securityHeaders({ https: true })['strict-transport-security']).toMatch(/^max-age=\d+/);
  });

  it('a new nonce every time', () => {
    expect(newNonce()).not.toBe(newNonce());
    expect(newNonce()).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
