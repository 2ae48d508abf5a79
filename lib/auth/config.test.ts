import { describe, expect, it } from 'vitest';
import { authConfig } from './config';

const secret = 's'.repeat(40);

describe('authConfig', () => {
  it('production refuses to start without a secret, or with a short one', () => {
    expect(() => authConfig({ NODE_ENV: 'production' })).toThrow(/BETTER_AUTH_SECRET is not set/);
    expect(() => authConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: 'short' })).toThrow(/at least 32 characters/);
    expect(authConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: secret }).secret).toBe(secret);
  });

  it('outside production without a secret: one random secret for the whole process', () => {
    const a = authConfig({ NODE_ENV: 'development' });
    expect(a.secret.length).toBeGreaterThanOrEqual(32);
    expect(authConfig({ NODE_ENV: 'test' }).secret).toBe(a.secret);
  });

  it('the base URL decides the passkey relying party; trusted origins are the base URL plus IDEM_TRUSTED_ORIGINS', () => {
    const config = authConfig({
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: 'https://bank.example/',
      IDEM_TRUSTED_ORIGINS: 'https://www.bank.example, https://bank.example',
    });
    expect(config).toMatchObject({
      baseURL: 'https://bank.example',
      rpID: 'bank.example',
      trustedOrigins: ['https://bank.example', 'https://www.bank.example'],
    });
    expect(authConfig({ BETTER_AUTH_SECRET: secret })).toMatchObject({
      baseURL: 'http://localhost:3000',
      rpID: 'localhost',
    });
    expect(() => authConfig({ BETTER_AUTH_SECRET: secret, BETTER_AUTH_URL: 'bank.example' })).toThrow(
      /BETTER_AUTH_URL/,
    );
    expect(() => authConfig({ BETTER_AUTH_SECRET: secret, IDEM_TRUSTED_ORIGINS: 'ftp://x.example' })).toThrow(
      /IDEM_TRUSTED_ORIGINS/,
    );
  });

  it('the client address is the one X-Forwarded-For the edge left (lib/http/client-address.ts), whatever header a proxy uses', () => {
    expect(
      authConfig({
        BETTER_AUTH_SECRET: secret,
        IDEM_CLIENT_IP_HEADER: 'CF-Connecting-IP',
        TRUSTED_PROXIES: '10.0.0.0/8',
      }),
    ).toMatchObject({
      clientIpHeaders: ['x-forwarded-for'],
    });
  });

  it('trusted origins: APP_ORIGIN first, then BETTER_AUTH_URL, then IDEM_TRUSTED_ORIGINS; the base URL defaults to APP_ORIGIN', () => {
    const config = authConfig({
      BETTER_AUTH_SECRET: secret,
      APP_ORIGIN: 'https://bank.example',
      IDEM_TRUSTED_ORIGINS: 'https://www.bank.example',
    });
    expect(config).toMatchObject({
      baseURL: 'https://bank.example',
      trustedOrigins: ['https://bank.example', 'https://www.bank.example'],
    });
  });
});
