// Counts database round trips: a pg Client subclass whose every `query` call (one protocol round
// trip: parse/bind/execute/sync, or one simple query) is tallied by kind. Pools are given it through
// pg's `Client` option, so Prisma's adapter, Emmett and plain pg all go through it unchanged.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

export type Tally = Map<string, number>;

/**
 * Per-operation counting: queries sent while `perOperation.run(counter, …)` is on the async stack
 * are added to that counter. Accurate when the pool never makes a caller wait for a connection (a
 * waiting caller's callback runs in the releasing caller's context), i.e. pool size ≥ callers.
 */
export const perOperation = new AsyncLocalStorage<{ queries: number }>();

export function newTally(): Tally {
  return new Map();
}

export function total(tally: Tally): number {
  let n = 0;
  for (const v of tally.values()) n += v;
  return n;
}

/** A short name for a statement: what it does on the command path. */
export function statementKind(text: string): string {
  const sql = text.replace(/\s+/g, ' ').trim();
  const upper = sql.toUpperCase();
  if (/^(BEGIN|START TRANSACTION)/.test(upper)) return 'BEGIN';
  if (upper.startsWith('COMMIT')) return 'COMMIT';
  if (upper.startsWith('ROLLBACK')) return 'ROLLBACK';
  if (upper.startsWith('SET TRANSACTION') || upper.startsWith('SET SESSION')) return 'SET TRANSACTION';
  if (upper.includes('SET_CONFIG')) return 'set_config(lock_timeout)';
  if (upper.includes('PG_ADVISORY_XACT_LOCK')) return 'advisory lock';
  if (upper.includes('EMT_APPEND_TO_STREAM')) return 'emt_append_to_stream()';
  if (upper.startsWith('WITH USABLE AS')) return 'load (command + snapshot + events)';
  if (upper.startsWith('WITH NEW_COMMAND AS')) return 'commit (command + events + projections)';
  if (upper.startsWith('UPDATE COMMANDS SET REPLAY_COUNT')) return 'replay count';
  if (upper.startsWith('INSERT INTO EVENTS')) return 'INSERT event';
  if (upper.startsWith('SELECT') && upper.includes('MAX(VERSION)')) return 're-read version';
  if (upper.includes('EMT_STREAMS') || upper.includes('STREAM_POSITION')) return 're-read version';
  return sql.slice(0, 40);
}

/** A pg Client class that adds every query it sends to `tally`. */
export type Capture = (kind: string, text: string, values: unknown[]) => void;

export function countingClient(tally: Tally, capture?: Capture): typeof pg.Client {
  class CountingClient extends pg.Client {}
  const original = pg.Client.prototype.query;
  // Overriding the overloaded `query` signature in a subclass does not type-check; patch the prototype.
  (CountingClient.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : first && typeof first === 'object' && 'text' in first ? String((first as { text: unknown }).text) : '';
    const kind = statementKind(text);
    tally.set(kind, (tally.get(kind) ?? 0) + 1);
    if (capture) capture(kind, text, (Array.isArray(args[1]) ? args[1] : first && typeof first === 'object' && 'values' in first ? (first as { values: unknown[] }).values : []) ?? []);
    const counter = perOperation.getStore();
    if (counter) counter.queries++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  return CountingClient;
}
