import { describe, expect, it } from 'vitest';
import { signSession, verifySession, SESSION_TTL_SECONDS } from './session';

const SECRET = 's'.repeat(40);
const admin = { email: 'Admin@Example.test', passwordHash: 'scrypt:32768:8:1:c2FsdHNhbHQ:aGFzaGhhc2hoYXNoaGFzaA' };
const t0 = new Date('2026-11-26T12:00:00Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('admin sessions (HMAC-SHA256)', () => {
  it('given a token signed now, it verifies until it expires 8 hours later', () => {
    const token = signSession(admin, SECRET, t0);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifySession(token, SECRET, admin, t0)).toEqual({ email: admin.email, issuedAt: t0, expiresAt: later(SESSION_TTL_SECONDS) });
    expect(verifySession(token, SECRET, admin, later(SESSION_TTL_SECONDS - 1))).not.toBeNull();
    expect(verifySession(token, SECRET, admin, later(SESSION_TTL_SECONDS))).toBeNull();
  });

  it('is valid for another instance holding the same secret, not for one with another secret', () => {
    const token = signSession(admin, SECRET, t0);
    expect(verifySession(token, `${SECRET}`, admin, t0)).not.toBeNull();
    expect(verifySession(token, 't'.repeat(40), admin, t0)).toBeNull();
  });

  it('refuses any tampering: payload, signature, version, truncation', () => {
    const token = signSession(admin, SECRET, t0);
    const [version, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), exp: 4_000_000_000 })).toString('base64url');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const bad of [
      `${version}.${forged}.${signature}`,
      `${version}.${payload}.${flip(signature)}`,
      `v2.${payload}.${signature}`,
      `${version}.${payload}`,
      `${version}.${payload}.`,
      `${token}.extra`,
      '',
      'x'.repeat(5000),
    ]) {
      expect(verifySession(bad, SECRET, admin, t0), bad.slice(0, 40)).toBeNull();
    }
    expect(verifySession(undefined, SECRET, admin, t0)).toBeNull();
  });

  it('ends when the admin email or password changes', () => {
    const token = signSession(admin, SECRET, t0);
    expect(verifySession(token, SECRET, { ...admin, email: 'admin@example.test' }, t0)).not.toBeNull(); // case-insensitive
    expect(verifySession(token, SECRET, { ...admin, email: 'other@example.test' }, t0)).toBeNull();
    expect(verifySession(token, SECRET, { ...admin, passwordHash: `${admin.passwordHash}x` }, t0)).toBeNull();
  });

  it('refuses tokens issued in the future or living longer than 8 hours, even when correctly signed', () => {
    expect(verifySession(signSession(admin, SECRET, later(3600)), SECRET, admin, t0)).toBeNull();
    expect(verifySession(signSession(admin, SECRET, t0, SESSION_TTL_SECONDS * 10), SECRET, admin, t0)).toBeNull();
  });
});
