// The one place that reads PostgreSQL's verdict out of an error. Prisma wraps unique violations as
// P2002 (typed queries) or P2010 (raw queries); with driver adapters the constraint name is only in
// meta.driverAdapterError.cause. Plain `pg` errors carry code and constraint directly.

export type WriteConflict =
  | { kind: 'unique'; constraint: string | null }
  | { kind: 'serialization' } // 40001: serialization_failure
  | { kind: 'deadlock' } // 40P01: deadlock_detected
  | { kind: 'lock-timeout' }; // 55P03: lock_not_available (waited too long in a stream's queue)

type Cause = {
  originalCode?: string;
  code?: string;
  kind?: string;
  constraint?: { index?: string; fields?: string[] };
};
type ErrorShape = {
  code?: unknown;
  constraint?: unknown;
  cause?: Cause;
  meta?: { driverAdapterError?: { cause?: Cause } };
};

/**
 * The driver's details, wherever this error shape keeps them: Prisma's known errors under
 * meta.driverAdapterError.cause, a bare DriverAdapterError (e.g. failing at COMMIT of an interactive
 * transaction) under cause, a plain `pg` error at the top level.
 */
export function driverCause(error: unknown): { sqlState?: string; cause?: Cause } {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as ErrorShape;
  const cause =
    e.meta?.driverAdapterError?.cause ?? (typeof e.cause === 'object' && e.cause !== null ? e.cause : undefined);
  const candidates = [cause?.originalCode, cause?.code, e.code];
  const sqlState = candidates.find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
  return { sqlState, cause };
}

export function writeConflictOf(error: unknown): WriteConflict | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as ErrorShape;
  const { sqlState, cause } = driverCause(error);
  if (sqlState === '23505' || cause?.kind === 'UniqueConstraintViolation') {
    const constraint = cause?.constraint?.index ?? (typeof e.constraint === 'string' ? e.constraint : null);
    return { kind: 'unique', constraint };
  }
  if (sqlState === '40001') return { kind: 'serialization' };
  if (sqlState === '40P01') return { kind: 'deadlock' };
  if (sqlState === '55P03') return { kind: 'lock-timeout' };
  return null;
}
