import 'server-only';
import type pg from 'pg';
import { loadConfig } from '@/lib/config';
import { log } from '@/lib/observability/log';
import { singleton } from '@/lib/singleton';
import { driverCause } from './pg-errors';

// Named (prepared) statements are parsed and planned once per connection: measurably faster. A
// pooler in transaction mode (PgBouncer < 1.21) hands each transaction whichever server connection is
// free, so a statement prepared on one is missing on the next (26000) or already there under the same
// name (42P05). The first such answer switches the whole process to unnamed statements, with one
// warning line; IDEM_PREPARED_STATEMENTS=off skips the named ones from the start.

const REFUSED = new Set(['26000', '42P05']);
const state = () => singleton('db.namedStatements', () => ({ on: loadConfig().IDEM_PREPARED_STATEMENTS !== 'off' }));

/** Whether statements are sent named (prepared once per connection) right now. */
export const preparedStatements = (): boolean => state().on;

/** A pooler's answer to a prepared statement it cannot keep. */
const refusedByPooler = (error: unknown): boolean => REFUSED.has(driverCause(error).sqlState ?? '');

function fallBack(error: unknown) {
  const s = state();
  if (!s.on) return;
  s.on = false;
  log().warn(
    { code: driverCause(error).sqlState },
    'the database connection cannot keep prepared statements (a pooler such as PgBouncer in transaction mode?): using unnamed statements from now on',
  );
}

type Callback = (error: Error | null, result?: unknown) => void;
type Config = { name?: string; text?: string };

const wrapped = new WeakSet<pg.Client>();

/**
 * A named statement the pooler refused switches the process to unnamed statements and, outside a
 * transaction, is sent again unnamed at once: the caller never sees the refusal. Inside a transaction
 * the refusal aborted it; the error stays (the engine answers 503, retried with the same key).
 */
export function fallBackToUnnamed(client: pg.Client): void {
  if (wrapped.has(client)) return;
  wrapped.add(client);
  let transaction = 'I';
  (client as unknown as { connection: NodeJS.EventEmitter }).connection.on(
    'readyForQuery',
    (message: { status?: string }) => (transaction = message.status ?? 'I'),
  );
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const query = (...args: unknown[]): unknown => {
    const config = args[0] as Config | undefined;
    if (typeof config !== 'object' || config === null || !config.name) return original(...args);
    const idle = transaction === 'I';
    const again = (error: unknown): unknown[] | null => {
      if (!refusedByPooler(error)) return null;
      fallBack(error);
      return idle ? [{ ...config, name: undefined }, ...args.slice(1)] : null;
    };
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as Callback;
      return original(...args.slice(0, -1), (error: Error | null, result?: unknown) => {
        const retry = error ? again(error) : null;
        if (retry) original(...retry.slice(0, -1), callback);
        else callback(error, result);
      });
    }
    const result = original(...args);
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      const retry = again(error);
      if (!retry) throw error;
      return original(...retry);
    });
  };
  (client as unknown as { query: typeof query }).query = query;
}
