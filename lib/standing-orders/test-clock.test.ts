import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config';
import { testClockFile } from './test-clock';

const config = (env: Record<string, string>) => loadConfig(env);

describe('the scheduler’s test clock', () => {
  it('is off unless a file is given', () => {
    expect(testClockFile(config({ APP_ORIGIN: 'https://bank.example' }))).toBeNull();
  });

  it('is refused with a public origin: a deployment customers reach cannot run its clock ahead', () => {
    for (const origin of ['https://bank.example', 'http://bank.example', 'https://localhost'])
      expect(() => testClockFile(config({ APP_ORIGIN: origin, IDEM_SCHEDULER_TEST_CLOCK_FILE: '/tmp/clock' }))).toThrow(
        /tests only/,
      );
    expect(() => testClockFile(config({ IDEM_SCHEDULER_TEST_CLOCK_FILE: '/tmp/clock' }))).toThrow(/tests only/);
  });

  it('is taken on a loopback http origin (the cluster tests)', () => {
    const env = { BETTER_AUTH_URL: 'http://localhost:3000', IDEM_SCHEDULER_TEST_CLOCK_FILE: '/tmp/clock' };
    expect(testClockFile(config(env))).toBe('/tmp/clock');
    expect(testClockFile(config({ ...env, BETTER_AUTH_URL: 'http://127.0.0.1:4000' }))).toBe('/tmp/clock');
  });

  it('IDEM_SCHEDULER_INTERVAL takes seconds or off, and nothing else', () => {
    expect(config({ IDEM_SCHEDULER_INTERVAL: '0.5' }).IDEM_SCHEDULER_INTERVAL).toBe('0.5');
    expect(config({ IDEM_SCHEDULER_INTERVAL: 'off' }).IDEM_SCHEDULER_INTERVAL).toBe('off');
    for (const bad of ['0', '-1', 'soon', '99999'])
      expect(() => config({ IDEM_SCHEDULER_INTERVAL: bad })).toThrow(/IDEM_SCHEDULER_INTERVAL/);
  });
});
