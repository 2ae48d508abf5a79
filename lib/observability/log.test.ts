import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormat } from './log';
import { withRequestContext } from './request-context';

function capture(format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ format, level: 'debug', destination });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('structured logs', () => {
  it('writes one JSON object per line with level, time, request id and customer id from the request context', () => {
    const { logger, parsed } = capture();
    withRequestContext({ requestId: 'req-1', customerId: 'cust-7' }, () => {
      logger.info(
        { commandId: 'k-1', commandType: 'WithdrawMoney', outcome: 'accepted', attempts: 1, durationMs: 3.2 },
        'command',
      );
    });
    logger.info('outside a request');
    const [inside, outside] = parsed();
    expect(inside).toMatchObject({
      level: 'info',
      msg: 'command',
      requestId: 'req-1',
      customerId: 'cust-7',
      commandId: 'k-1',
      commandType: 'WithdrawMoney',
      outcome: 'accepted',
      attempts: 1,
    });
    expect(typeof inside!.time).toBe('string');
    expect(outside).not.toHaveProperty('requestId');
  });

  it('never writes passwords, tokens, API keys, cookies, Authorization headers or bodies, at any depth it is given them', () => {
    const { logger, lines } = capture();
    const secrets = {
      password: 'hunter2-password',
      token: 'tok-SECRET-1',
      apiKey: 'idem_live_SECRETKEY',
      body: { amount: '12.34', note: 'BODY-SECRET' },
      headers: {
        authorization: 'Bearer SECRET-BEARER',
        cookie: 'idem_admin_session=SECRET-COOKIE',
        'set-cookie': 'a=SECRET-SET-COOKIE',
      },
      req: { headers: { authorization: 'Bearer SECRET-DEEP' }, body: 'DEEP-BODY-SECRET' },
      user: { password: 'nested-password', passwordHash: 'scrypt:SECRET-HASH', sessionToken: 'SECRET-SESSION' },
      secret: 'SECRET-TOP',
      keep: 'visible-value',
    };
    logger.info(secrets, 'with secrets');
    logger.warn({ context: secrets }, 'secrets nested once more');
    const text = lines.join('\n');
    expect(text).toContain('visible-value');
    for (const needle of [
      'hunter2',
      'tok-SECRET',
      'SECRETKEY',
      'BODY-SECRET',
      'SECRET-BEARER',
      'SECRET-COOKIE',
      'SECRET-SET-COOKIE',
      'SECRET-DEEP',
      'DEEP-BODY',
      'nested-password',
      'SECRET-HASH',
      'SECRET-SESSION',
      'SECRET-TOP',
    ]) {
      expect(text, needle).not.toContain(needle);
    }
  });
});

describe('log format', () => {
  it('is human-readable in a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('pretty output is one readable line per event, in-process (no worker thread), still without secrets', () => {
    const { logger, lines } = capture('pretty');
    withRequestContext({ requestId: 'req-pretty' }, () =>
      logger.info({ commandId: 'k-9', outcome: 'accepted', apiKey: 'SECRET-IN-PRETTY' }, 'command'),
    );
    const text = lines.join('\n');
    expect(text).toMatch(/INFO.*command/);
    expect(text).toContain('req-pretty');
    expect(text).toContain('k-9');
    expect(text).not.toContain('SECRET-IN-PRETTY');
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });
});
