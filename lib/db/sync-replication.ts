// A commit whose wait for the synchronous standby was cancelled (a client timeout that cancels, an
// operator's pg_cancel_backend, a server shutting down) has committed on the primary alone, yet
// PostgreSQL answers it with success and only a WARNING notice. A failover can then lose it (pg_rewind
// removes it from the old primary). Such a statement is therefore never a success here: it fails with
// SQLSTATE 08007 (transaction resolution unknown), which the API answers 503 and every retry treats
// as "ask again with the same key" — the next attempt reads what really committed on the new primary.
// Not server-only: plain `pg`, also used by tests.
import type pg from 'pg';

const CANCELLED = /canceling wait for synchronous replication/i;

/** The error a statement gets instead of its result when its commit was not confirmed by a standby. */
export class CommitNotReplicated extends Error {
  // Shaped like a `pg` DatabaseError, so every layer (Prisma's adapter included) carries the code on.
  readonly code = '08007';
  readonly severity = 'ERROR';
  readonly detail = undefined;
  constructor(notice: string) {
    super(
      `the commit was not confirmed by a synchronous standby (${notice}): it may be lost in a failover, retry with the same key`,
    );
    this.name = 'CommitNotReplicated';
  }
}

const guarded = new WeakSet<pg.Client>();

type Callback = (error: Error | null, result?: unknown) => void;

/**
 * Makes `client` fail any statement during which PostgreSQL sent the "canceling wait for
 * synchronous replication" notice. Promise and callback forms of `query` are both covered (pg-pool's
 * `pool.query` uses the callback form). One statement at a time per connection, as the pool and the
 * Prisma adapter use them: the notice belongs to the statement that completes next.
 */
export function guardSyncReplication(client: pg.Client): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  let pending: string | null = null;
  client.on('notice', (notice: { message?: string }) => {
    if (notice.message && CANCELLED.test(notice.message)) pending = notice.message;
  });
  const take = (): CommitNotReplicated | null => {
    const message = pending;
    pending = null;
    return message === null ? null : new CommitNotReplicated(message);
  };
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const query = (...args: unknown[]): unknown => {
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as Callback;
      return original(...args.slice(0, -1), (error: Error | null, result?: unknown) => {
        const lost = take();
        callback(error ?? lost, lost ? undefined : result);
      });
    }
    const result = original(...args);
    if (result instanceof Promise)
      return result.then(
        (value: unknown) => {
          const lost = take();
          if (lost) throw lost;
          return value;
        },
        (error: unknown) => {
          take();
          throw error;
        },
      );
    return result; // a Submittable (cursor, stream): its own events
  };
  (client as unknown as { query: typeof query }).query = query;
}
