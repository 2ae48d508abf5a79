// Runs the asynchronous projections. Every app instance starts a runner, but for each projection
// only one of them works at a time: the one holding a session-level advisory lock on its own
// connection. If that process dies, PostgreSQL ends its session, the lock is released, and another
// instance's runner takes over at its next poll. Exactly-once comes from the checkpoint being
// written in the same transaction as the projection's rows, not from the lock.
import pg from 'pg';
import { isConnectionError } from '@/lib/db/connection-errors';
import { applyDailyTotals, DAILY_TOTALS } from './daily-totals';
import { readGlobalLog, START, type Checkpoint, type LogEvent } from './global-log';

export type AsyncProjection = { name: string; apply: (client: pg.ClientBase, events: LogEvent[]) => Promise<void> };

export const ASYNC_PROJECTIONS: AsyncProjection[] = [{ name: DAILY_TOTALS, apply: applyDailyTotals }];

/** Key space of the projection leader locks (two-int advisory locks). */
export const PROJECTION_LOCK_CLASS = 0x1de5;

/** The checkpoint; `forUpdate` creates it if missing and locks it for this transaction. */
export async function readCheckpoint(client: pg.ClientBase, name: string, forUpdate = false): Promise<Checkpoint> {
  if (forUpdate)
    await client.query(`INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
  const { rows } = await client.query<{ tx: string; pos: string }>(
    `SELECT last_transaction_id AS tx, last_position::text AS pos FROM projection_checkpoints WHERE name = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [name],
  );
  const row = rows[0];
  return row ? { transactionId: row.tx, position: BigInt(row.pos) } : START;
}

/** One batch in one transaction: lock the checkpoint, read after it, apply, advance it. */
export async function processBatch(
  client: pg.ClientBase,
  projection: AsyncProjection,
  batchSize = 500,
): Promise<number> {
  await client.query('BEGIN');
  try {
    const checkpoint = await readCheckpoint(client, projection.name, true);
    const events = await readGlobalLog(client, checkpoint, batchSize);
    if (events.length > 0) {
      await projection.apply(client, events);
      const last = events.at(-1)!;
      await client.query(
        `UPDATE projection_checkpoints SET last_transaction_id = $2, last_position = $3, events_processed = events_processed + $4,
                updated_at = now(), last_error = NULL, last_error_at = NULL WHERE name = $1`,
        [projection.name, last.transactionId, last.globalPosition.toString(), events.length],
      );
    }
    await client.query('COMMIT');
    return events.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Process until nothing safe is left to read. */
export async function catchUp(client: pg.ClientBase, projection: AsyncProjection, batchSize = 500): Promise<number> {
  let total = 0;
  for (let n = batchSize; n === batchSize; total += n) n = await processBatch(client, projection, batchSize);
  return total;
}

type RunnerOptions = {
  pollMs?: number;
  batchSize?: number;
  log?: (line: string) => void;
  projections?: AsyncProjection[];
};

export class ProjectionRunner {
  private client: pg.Client | null = null;
  private readonly held = new Set<string>();
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly options: RunnerOptions = {},
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.client?.end().catch(() => {});
  }

  leads(name: string): boolean {
    return this.held.has(name);
  }

  private async run(): Promise<void> {
    const { pollMs = 500, batchSize = 500, log = () => {}, projections = ASYNC_PROJECTIONS } = this.options;
    while (!this.stopped) {
      try {
        const client = await this.connection();
        for (const projection of projections) {
          if (!this.held.has(projection.name)) {
            const { rows } = await client.query<{ ok: boolean }>(
              'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok',
              [PROJECTION_LOCK_CLASS, projection.name],
            );
            if (!rows[0]?.ok) continue;
            this.held.add(projection.name);
            log(`projection ${projection.name}: this process (pid ${process.pid}) is now its runner`);
          }
          try {
            await catchUp(client, projection, batchSize);
          } catch (error) {
            if (isConnectionError(error)) throw error;
            await recordError(client, projection.name, error);
          }
        }
      } catch (error) {
        // Lost the connection (database restart, network): leadership is gone with the session.
        log(`projection runner: ${error instanceof Error ? error.message : String(error)}; reconnecting`);
        this.held.clear();
        await this.client?.end().catch(() => {});
        this.client = null;
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: `idem-projections-${process.pid}`,
    });
    client.on('error', () => {}); // surfaced by the next query instead of crashing the process
    await client.connect();
    this.client = client;
    return client;
  }
}

async function recordError(client: pg.ClientBase, name: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await client
    .query(`UPDATE projection_checkpoints SET last_error = $2, last_error_at = now() WHERE name = $1`, [
      name,
      message.slice(0, 2000),
    ])
    .catch(() => {});
}
