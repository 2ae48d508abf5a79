import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { describe, expect, it } from 'vitest';
import { isUnavailable } from '@/lib/http/api-handler';

const adapterError = (originalCode: string, message: string) =>
  new DriverAdapterError({ kind: 'postgres', code: originalCode, severity: 'ERROR', message, originalCode, originalMessage: message } as never);

describe('outages are told apart from bugs', () => {
  it('a terminated connection (57P01) is an outage', () => {
    expect(isUnavailable(adapterError('57P01', 'terminating connection due to administrator command'))).toBe(true);
  });

  it('other errors are not outages', () => {
    expect(isUnavailable(new Error('boom'))).toBe(false);
    expect(isUnavailable(adapterError('22P02', 'invalid input syntax'))).toBe(false);
  });
});
