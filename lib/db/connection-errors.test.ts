import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { describe, expect, it } from 'vitest';
import { isConnectionError } from './connection-errors';
import { CommitNotReplicated } from './sync-replication';

// Every shape in which "the database is unreachable" reaches the API and the projection runner.
const adapterError = (originalCode: string, message: string) =>
  new DriverAdapterError({
    kind: 'postgres',
    code: originalCode,
    severity: 'ERROR',
    message,
    originalCode,
    originalMessage: message,
  } as never);

describe('isConnectionError', () => {
  it('a bare DriverAdapterError with a connection SQLSTATE (e.g. at COMMIT)', () => {
    expect(isConnectionError(adapterError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isConnectionError(adapterError('08006', 'connection failure'))).toBe(true);
    expect(isConnectionError(adapterError('53300', 'sorry, too many clients already'))).toBe(true);
  });

  it('a Prisma error whose driver cause is a connection kind', () => {
    expect(
      isConnectionError({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } } }),
    ).toBe(true);
    expect(isConnectionError({ code: 'P1001', message: "Can't reach database server" })).toBe(true);
  });

  it('what a failover looks like to node-postgres: answered 503, retried with the same key', () => {
    expect(isConnectionError(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isConnectionError({ code: '57P03', message: 'the database system is starting up' })).toBe(true);
    expect(isConnectionError({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' })).toBe(
      true,
    );
    expect(isConnectionError(adapterError('25006', 'cannot execute INSERT in a read-only transaction'))).toBe(true);
    expect(isConnectionError(new Error('Query read timeout'))).toBe(true);
    expect(isConnectionError(new CommitNotReplicated('canceling wait for synchronous replication'))).toBe(true);
    expect(isConnectionError(adapterError('08007', 'the commit was not confirmed by a synchronous standby'))).toBe(
      true,
    );
    // Other class-25 states are bugs, not outages.
    expect(isConnectionError({ code: '25P02', message: 'current transaction is aborted' })).toBe(false);
  });

  it('plain pg and socket errors, by code or by message', () => {
    expect(isConnectionError({ code: '57P01', message: 'terminating connection due to administrator command' })).toBe(
      true,
    );
    expect(
      isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isConnectionError(new Error('Client was closed and is not queryable'))).toBe(true);
  });

  it('everything else is not: bugs, constraint violations, bad input, non-errors', () => {
    expect(isConnectionError(new Error('boom'))).toBe(false);
    expect(isConnectionError(adapterError('22P02', 'invalid input syntax'))).toBe(false);
    expect(isConnectionError({ code: '23505', constraint: 'commands_pkey' })).toBe(false);
    expect(isConnectionError({ code: '40001' })).toBe(false);
    expect(isConnectionError(null)).toBe(false);
    expect(isConnectionError('ECONNRESET')).toBe(false);
  });
});
