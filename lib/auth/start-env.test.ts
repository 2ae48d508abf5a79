import { describe, expect, it } from 'vitest';
import { identityEnvForStart, servingUrl } from './start-env';

// The one-time admin password is shown only on an interactive terminal, on the
// embedded database; never in a log (output piped to a file or a collector) and never in production.

const local = { port: 3000, hostname: '127.0.0.1' };
const printed = (notice: string[], password: string | undefined) =>
  password !== undefined && notice.some((line) => line.includes(password));

describe('the one-time admin password', () => {
  it('is printed on an interactive terminal with the embedded database', () => {
    const identity = identityEnvForStart({}, { ...local, embeddedDatabase: true, interactive: true });
    expect(identity.admin?.password).toBeTruthy();
    expect(printed(identity.notice, identity.admin?.password)).toBe(true);
  });

  it('is neither made nor printed when the output is not a terminal (a log); the notice says how to get an admin', () => {
    const identity = identityEnvForStart({}, { ...local, embeddedDatabase: true, interactive: false });
    expect(identity.admin).toBeNull();
    expect(identity.notice.join('\n')).not.toMatch(/password:/i);
    expect(identity.notice.join('\n')).toMatch(/ADMIN_PASSWORD/);
  });

  it('never exists in production with DATABASE_URL, even on a terminal', () => {
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://app:secret@db/idem',
      BETTER_AUTH_SECRET: 'x'.repeat(40),
    };
    const identity = identityEnvForStart(env, { ...local, embeddedDatabase: false, interactive: true });
    expect(identity.admin).toBeNull();
    expect(identity.notice.join('\n')).not.toMatch(/password/i);
  });

  it('a chosen ADMIN_PASSWORD is used and never printed', () => {
    const identity = identityEnvForStart(
      { ADMIN_PASSWORD: 'chosen password 123' },
      { ...local, embeddedDatabase: true, interactive: true },
    );
    expect(identity.admin?.password).toBe('chosen password 123');
    expect(identity.notice.join('\n')).not.toContain('chosen password 123');
  });
});

describe('the address npm start prints', () => {
  it('is http://localhost:<port> on a local bind (passkeys fail at 127.0.0.1), or BETTER_AUTH_URL when set', () => {
    expect(servingUrl({}, local)).toBe('http://localhost:3000');
    expect(servingUrl({}, { port: 3100, hostname: '0.0.0.0' })).toBe('http://localhost:3100');
    expect(servingUrl({ BETTER_AUTH_URL: 'https://bank.example/' }, local)).toBe('https://bank.example');
    expect(identityEnvForStart({}, { ...local, embeddedDatabase: true, interactive: false }).env.BETTER_AUTH_URL).toBe(
      'http://localhost:3000',
    );
  });
});
