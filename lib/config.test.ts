import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from './config';

describe('configuration', () => {
  it('accepts an empty environment and valid values', () => {
    expect(loadConfig({})).toEqual({});
    expect(
      loadConfig({
        DATABASE_URL: 'postgresql://u:p@db:5432/idem',
        DATABASE_POOL_SIZE: '25',
        METRICS_PORT: '9464',
        IDEM_ASYNC_PROJECTIONS: 'off',
        LOG_LEVEL: 'debug',
        IDEM_SHUTDOWN_TIMEOUT_MS: '5000',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      }),
    ).toMatchObject({ DATABASE_POOL_SIZE: 25, METRICS_PORT: 9464, IDEM_SHUTDOWN_TIMEOUT_MS: 5000 });
  });

  it.each(
    [
      ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE must be a whole number from 1/],
      ['DATABASE_POOL_SIZE', 'ten', /DATABASE_POOL_SIZE must be a whole number/],
      ['METRICS_PORT', '70000', /METRICS_PORT must be a whole number from 1 to 65535 \(got "70000"\)/],
      ['IDEM_PREPARED_STATEMENTS', 'no', /IDEM_PREPARED_STATEMENTS must be "on" or "off"/],
      ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
      ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\/$/],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /OTEL_EXPORTER_OTLP_ENDPOINT must be a URL/],
      ['METRICS_TOKEN', 'short', /METRICS_TOKEN must be at least 16 characters$/],
      ['BETTER_AUTH_SECRET', 'too-short', /BETTER_AUTH_SECRET must be at least 32 characters$/],
      ['BETTER_AUTH_URL', 'localhost:3000', /BETTER_AUTH_URL must be a URL/],
      ['IDEM_API_KEY_RATE_LIMIT', '1000', /IDEM_API_KEY_RATE_LIMIT must be <requests>\/<seconds>/],
      ['IDEM_CLIENT_IP_HEADER', 'x forwarded for', /IDEM_CLIENT_IP_HEADER must be header names/],
      ['APP_ORIGIN', 'https://bank.example/app', /APP_ORIGIN must be an http\(s\) origin without a path/],
      ['APP_ORIGIN', 'bank.example', /APP_ORIGIN must be an http\(s\) origin/],
      ['TRUSTED_PROXIES', '10.0.0.0/8, proxy.internal', /TRUSTED_PROXIES must be IP addresses or CIDRs/],
      ['IDEM_CUSTOMER_RATE_LIMIT', '100', /IDEM_CUSTOMER_RATE_LIMIT must be <requests>\/<seconds>/],
      ['IDEM_NEW_KEYS_PER_HOUR', '0', /IDEM_NEW_KEYS_PER_HOUR must be a whole number from 1/],
      ['IDEM_KEY_RETENTION_DAYS', 'forever', /IDEM_KEY_RETENTION_DAYS must be a whole number/],
      ['IDEM_PG_PORT', '0', /IDEM_PG_PORT must be a whole number from 1 to 65535/],
    ].filter((row): row is [string, string, RegExp] => row[2] !== null),
  )('%s=%s is refused with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text.split('\n')).toHaveLength(1);
  });

  it('reads the variables lib/ used to take from process.env itself: Next.js and process settings, typed', () => {
    expect(
      loadConfig({
        NODE_ENV: 'production',
        NEXT_MANUAL_SIG_HANDLE: 'true',
        IDEM_DATA_DIR: '/var/lib/idem',
        IDEM_PG_LOG: '1',
        IDEM_SNAPSHOT_EVERY: '0',
      }),
    ).toEqual({
      NODE_ENV: 'production',
      NEXT_MANUAL_SIG_HANDLE: 'true',
      IDEM_DATA_DIR: '/var/lib/idem',
      IDEM_PG_LOG: '1',
      IDEM_SNAPSHOT_EVERY: 0,
    });
    // Empty means unset, as for every variable (an env file's `IDEM_DATA_DIR=`).
    expect(loadConfig({ IDEM_DATA_DIR: '' })).toEqual({});
  });

  it('answers from the last validation while the variables are unchanged, and validates again when one changes', () => {
    const env: Record<string, string | undefined> = { DATABASE_POOL_SIZE: '7' };
    const first = loadConfig(env);
    expect(loadConfig({ ...env })).toBe(first);
    env.DATABASE_POOL_SIZE = 'seven';
    expect(() => loadConfig(env)).toThrow(ConfigError);
    env.DATABASE_POOL_SIZE = '8';
    expect(loadConfig(env)).toMatchObject({ DATABASE_POOL_SIZE: 8 });
  });

  it('describes every variable (the configuration reference is made from the descriptions)', () => {
    const undescribed = Object.entries(envSchema.shape).filter(([, field]) => !field.description);
    expect(undescribed.map(([name]) => name)).toEqual([]);
  });

  it('never echoes secret values', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short-secret' })).toThrow(/^(?!.*short-secret)/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@x' })).toThrow(/^(?!.*hunter2)/);
  });

  it('`npm start` with a bad value exits 1 with one line, before building or starting anything', () => {
    const result = spawnSync(path.resolve('node_modules/.bin/tsx'), ['scripts/start.ts', '--no-build'], {
      env: { ...process.env, DATABASE_URL: '', IDEM_SHUTDOWN_TIMEOUT_MS: 'soon', PORT: '3399' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const lines = `${result.stdout}${result.stderr}`.trim().split('\n');
    expect(lines).toEqual([
      '[idem] invalid configuration: IDEM_SHUTDOWN_TIMEOUT_MS must be a whole number from 0 to 3600000 (got "soon")',
    ]);
  });
});
