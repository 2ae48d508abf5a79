// Counts database round trips: every `query` call of a pg Client (one protocol round trip:
// parse/bind/execute/sync, or one simple query) is tallied by kind, and per operation.
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

const kinds = new Map<string, string>();

/** A short name for a statement: what it does on the command path (memoized: the counting must not cost the client CPU it measures). */
export function statementKind(text: string): string {
  let kind = kinds.get(text);
  if (kind === undefined) {
    kind = classify(text);
    if (kinds.size < 10_000) kinds.set(text, kind);
  }
  return kind;
}

function classify(text: string): string {
  const sql = text.replace(/\s+/g, ' ').trim();
  const upper = sql.toUpperCase();
  if (/^(BEGIN|START TRANSACTION)/.test(upper)) return 'BEGIN';
  if (upper.startsWith('COMMIT')) return 'COMMIT';
  if (upper.startsWith('ROLLBACK')) return 'ROLLBACK';
  if (upper.startsWith('SET TRANSACTION') || upper.startsWith('SET SESSION')) return 'SET TRANSACTION';
  if (upper.includes('EMT_APPEND_TO_STREAM')) return 'emt_append_to_stream()';
  if (upper.includes('BENCH_MONEY_COMMAND')) return 'bench_money_command()';
  if (upper.startsWith('SELECT C.TYPE AS COMMAND_TYPE')) return 'load (command + balance row)';
  if (upper.startsWith('WITH C AS ( INSERT INTO COMMANDS')) return 'commit (command + event + balance + transaction)';
  if (upper.startsWith('INSERT INTO COMMANDS')) return 'INSERT command (rejection)';
  if (upper.includes('FROM EMT_MESSAGES')) return 'read stream (emt_messages)';
  if (upper.startsWith('WITH USABLE AS')) return 'load (command + snapshot + events)';
  if (upper.includes('PG_ADVISORY_XACT_LOCK') && upper.includes('SET_CONFIG')) return 'lock_timeout + advisory locks';
  if (upper.includes('SET_CONFIG')) return 'set_config(lock_timeout)';
  if (upper.includes('PG_ADVISORY_XACT_LOCK')) return 'advisory lock';
  if (upper.startsWith('WITH NEW_COMMAND AS') || upper.startsWith('WITH NEW_EVENTS AS'))
    return 'commit (command + events + projections)';
  if (upper.startsWith('UPDATE COMMANDS SET REPLAY_COUNT')) return 'replay count';
  if (upper.startsWith('INSERT INTO EVENTS')) return 'INSERT event';
  if (upper.startsWith('SELECT') && upper.includes('MAX(VERSION)')) return 're-read version';
  if (upper.includes('EMT_STREAMS') || upper.includes('STREAM_POSITION')) return 're-read version';
  return sql.slice(0, 40);
}

export type Capture = (kind: string, text: string, values: unknown[]) => void;

let current: { tally: Tally; capture?: Capture } | null = null;
let paused = 0;

/** Runs the bench's own bookkeeping queries (set-up, checks) without counting them. */
export async function pauseCounting<T>(run: () => Promise<T>): Promise<T> {
  paused++;
  try {
    return await run();
  } finally {
    paused--;
  }
}

/**
 * From now on, every query of every pg Client in this process (pools create pg.Client, so Prisma's
 * adapter as production configures it, Emmett and plain pg alike) is added to `tally`. Patches
 * pg.Client.prototype.query once; each bench contender runs in a process of its own.
 */
export function countQueries(tally: Tally, capture?: Capture): void {
  if (!current) {
    const original = pg.Client.prototype.query;
    (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      if (current && paused === 0) {
        const first = args[0];
        const text =
          typeof first === 'string'
            ? first
            : first && typeof first === 'object' && 'text' in first
              ? String((first as { text: unknown }).text)
              : '';
        const kind = statementKind(text);
        current.tally.set(kind, (current.tally.get(kind) ?? 0) + 1);
        if (current.capture)
          current.capture(
            kind,
            text,
            (Array.isArray(args[1])
              ? args[1]
              : first && typeof first === 'object' && 'values' in first
                ? (first as { values: unknown[] }).values
                : []) ?? [],
          );
        const counter = perOperation.getStore();
        if (counter) counter.queries++;
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  current = { tally, capture };
}
