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
  pool.on('connect', (client) => {
    client.on('error', (error) => events.lost?.(error, false));
    events.connected?.(client);
  });
  pool.on('error', (error) => events.lost?.(error, true));
  return pool;
}
