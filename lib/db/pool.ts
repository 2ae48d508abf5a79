import pg from 'pg';

// Every pool of the app is made here, so that none can forget what pg-pool leaves out: it drops its
// own error listener while a client is handed out, and a driver attaches one only after an await,
// so a connection the server ends in between (pg_terminate_backend, a restart, a failover) would be
// an uncaught exception that stops the process. Every client gets a listener for its whole life; the
// query that was running still fails, and reports it.

export type PoolEvents = {
  /** A connection (checked out or idle) was lost. */
  lost?: (error: Error, idle: boolean) => void;
  /** Each new connection, before it is first used (guards and fallbacks of the caller's own). */
  connected?: (client: pg.PoolClient) => void;
};

export function newPool(config: pg.PoolConfig, events: PoolEvents = {}): pg.Pool {
  const pool = new pg.Pool(config);
  keepSessionsOnRefusals(pool);
  pool.on('connect', (client) => {
    client.on('error', (error) => events.lost?.(error, false));
    events.connected?.(client);
  });
  pool.on('error', (error) => events.lost?.(error, true));
  return pool;
}

/**
 * A statement the server refused (severity ERROR: a unique violation, a check, a division by zero)
 * leaves its session as usable as before. Anything else — a lost or ended connection, a FATAL, a
 * client-side timeout, a commit whose replication was not confirmed — may not; nor a refusal that
 * says the session itself is in the wrong place or state: read-only (25006: it reached a standby,
 * say through a balancer during a failover; a new connection may reach the new primary) or an
 * internal error (class XX).
 */
function refusedStatement(error: unknown): boolean {
  return (
    error instanceof pg.DatabaseError &&
    error.severity === 'ERROR' &&
    error.code !== '25006' &&
    !String(error.code).startsWith('XX')
  );
}

/**
 * pg-pool's `pool.query` closes the connection after any failed statement (it hands the error to
 * `release`). A unique violation is how the engine learns of a write conflict, an everyday answer
 * under contention that it re-decides: closing the session for it made the next statement pay for a
 * new one (a backend forked, SCRAM authentication on both sides, every named statement prepared
 * again). The request path benchmark saw 20–34 sessions opened per 2-second run of API commands,
 * one per conflict. Here a refused statement returns the connection to the pool; any other error
 * still closes it. Same signatures as pg-pool's (promise, or a callback as its last argument).
 */
function keepSessionsOnRefusals(pool: pg.Pool): void {
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const query = (...args: unknown[]): unknown => {
    const [statement] = args;
    // A submittable (a cursor, a query object) or a misuse: pg-pool's own handling.
    if (
      typeof statement === 'function' ||
      (typeof statement === 'object' && statement !== null && 'submit' in statement)
    )
      return original(...args);
    const callback = typeof args.at(-1) === 'function' ? (args.at(-1) as (e?: Error, r?: unknown) => void) : null;
    const values = args.length > (callback ? 2 : 1) ? args[1] : undefined;
    const result = (async () => {
      const client = await pool.connect();
      let released = false;
      const release = (error?: Error) => {
        if (released) return;
        released = true;
        client.release(error);
      };
      const lost = (error: Error) => release(error);
      client.once('error', lost);
      try {
        return await client.query(statement as pg.QueryConfig, values as unknown[] | undefined);
      } catch (error) {
        release(refusedStatement(error) ? undefined : error instanceof Error ? error : new Error(String(error)));
        throw error;
      } finally {
        client.removeListener('error', lost);
        release();
      }
    })();
    if (!callback) return result;
    result.then(
      (value) => callback(undefined, value),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
    return undefined;
  };
  (pool as unknown as { query: typeof query }).query = query;
}
