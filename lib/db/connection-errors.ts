// The one check for "the database is (momentarily) unreachable": the connection broke, the server is
// shutting down or restarting, or it is out of connections or resources. Such a failure says nothing
// about the command, so retrying it (the same Idempotency-Key, the next poll) is safe. The API answers
// 503 with Retry-After; the projection runner drops its connection and reconnects.
import { driverCause } from './pg-errors';

// SQLSTATE classes: 08 connection exception, 57P operator intervention (admin shutdown, crash
// shutdown, cannot connect now), 53 insufficient resources (too many connections, disk full, memory);
// 25006 read-only transaction: a failover moved the primary and this connection reached a standby
// (nothing was written); 08007 also stands for a commit no synchronous standby confirmed
// (lib/db/sync-replication.ts). 26000 / 42P05: a pooler lost or mixed up a prepared statement inside a
// transaction (aborted, nothing written; the process uses unnamed statements from then on,
// lib/db/prepared-statements.ts).
const UNAVAILABLE_SQLSTATE = /^(08|57P|53|25006$|26000$|42P05$)/;
// Prisma's connection and pool errors, and Node's socket errors.
const UNAVAILABLE_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);
// Driver adapter error kinds (meta.driverAdapterError.cause.kind).
const UNAVAILABLE_KIND = /Connection|NotReachable|Closed|Timeout|TooManyConnections/i;
// What `pg` says when a client or pooled connection broke, without a code.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection (is )?closed|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Query read timeout/i;

export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null | undefined;
  const { sqlState, cause } = driverCause(error);
  const code = sqlState ?? (typeof e?.code === 'string' ? e.code : '');
  if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_CODES.has(code)) return true;
  if (cause?.kind && UNAVAILABLE_KIND.test(cause.kind)) return true;
  return typeof e?.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
}
