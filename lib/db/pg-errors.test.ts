import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { describe, expect, it } from 'vitest';
import { writeConflictOf } from './pg-errors';

// Every shape in which a PostgreSQL verdict reaches us must be read the same way.
const adapterError = (originalCode: string, message: string) =>
  new DriverAdapterError({
    kind: 'postgres',
    code: originalCode,
    severity: 'ERROR',
    message,
    originalCode,
    originalMessage: message,
  } as never);

describe('reading the database verdict out of errors', () => {
  it('a unique violation via Prisma (meta.driverAdapterError.cause) names its constraint', () => {
    const prismaError = {
      code: 'P2010',
      meta: {
        driverAdapterError: {
          cause: { originalCode: '23505', kind: 'UniqueConstraintViolation', constraint: { index: 'commands_pkey' } },
        },
      },
    };
    expect(writeConflictOf(prismaError)).toEqual({ kind: 'unique', constraint: 'commands_pkey' });
  });

  it('a plain pg error is read from its own fields', () => {
    expect(writeConflictOf({ code: '23505', constraint: 'events_stream_id_version_key' })).toEqual({
      kind: 'unique',
      constraint: 'events_stream_id_version_key',
    });
    expect(writeConflictOf({ code: '40P01' })).toEqual({ kind: 'deadlock' });
  });

  it('a bare DriverAdapterError (e.g. at COMMIT) is read from its cause', () => {
    expect(writeConflictOf(adapterError('40001', 'could not serialize access'))).toEqual({ kind: 'serialization' });
  });

  it('other errors are not conflicts', () => {
    expect(writeConflictOf(new Error('boom'))).toBeNull();
    expect(writeConflictOf(adapterError('22P02', 'invalid input syntax'))).toBeNull();
  });
});
