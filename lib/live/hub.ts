import 'server-only';
import pg from 'pg';
import { loadConfig } from '@/lib/config';
import { isConnectionError } from '@/lib/db/connection-errors';
import { log } from '@/lib/observability/log';
import { onShutdown } from '@/lib/process/lifecycle';
import { readGlobalLog, type Checkpoint, type LogEvent } from '@/lib/projections/global-log';
import { singleton } from '@/lib/singleton';
import { LIVE_CHANNEL } from './wake';

// The instance's one ear on the event log. A single dedicated connection LISTENs on `idem_events`
// (the instance that committed events NOTIFYs it after its commit, whichever instance that is:
// ./wake.ts) and then reads the global log past its checkpoint, gap-safe
// (lib/projections/global-log.ts), handing each event to the streams subscribed to its stream id.
// The notification only says "look now": nothing is in its payload, so a notification that is lost
// while reconnecting, or folded into another, loses nothing. A slow poll covers the one case a
// notification cannot: an event held back because an older transaction was still running (and an
// instance that stopped between its commit and its wake-up).
//
// While no stream is subscribed the hub reads nothing; the first subscriber sets the checkpoint to
// the log's safe end, and reads its own backlog itself (lib/live/event-stream.ts), so the two meet
// without a gap.

const POLL_MS = 1_000;
const BATCH = 500;

type Deliver = (events: LogEvent[]) => void;

class LiveHub {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private checkpoint: Checkpoint | null = null;
  private readonly subscribers = new Map<string, Set<Deliver>>();
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly pollMs = POLL_MS,
  ) {}

  /** Delivers every event of `streamId` committed from now on; returns the unsubscribe function. */
  async subscribe(streamId: string, deliver: Deliver): Promise<() => void> {
    if (this.stopped) throw new Error('the live hub is stopped');
    const set = this.subscribers.get(streamId) ?? new Set();
    set.add(deliver);
    this.subscribers.set(streamId, set);
    try {
      const client = await this.connection();
      const end = await safeEnd(client);
      // Only the first subscriber sets it: moving a running checkpoint forward would skip events.
      if (this.checkpoint === null && this.subscribers.size > 0) this.checkpoint = end;
      this.timer ??= setInterval(() => this.wake(), this.pollMs).unref();
    } catch (error) {
      this.remove(streamId, deliver);
      throw error;
    }
    return () => this.remove(streamId, deliver);
  }

  /** Streams subscribed on this instance (for tests and metrics). */
  subscriberCount(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.idle();
    await this.reading?.catch(() => {});
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  private remove(streamId: string, deliver: Deliver): void {
    const set = this.subscribers.get(streamId);
    set?.delete(deliver);
    if (set?.size === 0) this.subscribers.delete(streamId);
    if (this.subscribers.size === 0) this.idle();
  }

  /** Nobody listens: stop reading; the next subscriber starts again from the log's end. */
  private idle(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.checkpoint = null;
  }

  /** One read at a time; a wake-up during a read makes it read once more. */
  private wake(): void {
    if (this.stopped || this.subscribers.size === 0) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll().finally(() => {
      this.reading = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async readAll(): Promise<void> {
    try {
      const client = await this.connection();
      for (;;) {
        const checkpoint = this.checkpoint;
        if (!checkpoint) return;
        const events = await readGlobalLog(client, checkpoint, BATCH);
        // Unsubscribed meanwhile (the checkpoint was reset): these events are nobody's.
        if (this.checkpoint !== checkpoint || events.length === 0) return;
        const last = events.at(-1)!;
        this.checkpoint = { transactionId: last.transactionId, position: last.globalPosition };
        this.dispatch(events);
        if (events.length < BATCH) return;
      }
    } catch (error) {
      log().warn({ component: 'live', err: { message: errorText(error) } }, 'live hub: reading the log failed');
      if (isConnectionError(error)) await this.drop();
    }
  }

  private dispatch(events: LogEvent[]): void {
    const byStream = new Map<string, LogEvent[]>();
    for (const event of events) {
      if (!this.subscribers.has(event.streamId)) continue;
      const list = byStream.get(event.streamId) ?? [];
      list.push(event);
      byStream.set(event.streamId, list);
    }
    for (const [streamId, list] of byStream)
      for (const deliver of this.subscribers.get(streamId) ?? []) {
        try {
          deliver(list);
        } catch (error) {
          log().warn({ component: 'live', err: { message: errorText(error) } }, 'live hub: a subscriber failed');
        }
      }
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `idem-live-${process.pid}` });
    client.on('error', (error) => {
      // A lost connection: the next wake-up (the poll) connects again and reads from the checkpoint.
      log().warn({ component: 'live', err: { message: errorText(error) } }, 'live hub: connection lost');
      if (this.client === client) this.client = null;
    });
    client.on('notification', () => this.wake());
    await client.connect();
    await client.query(`LISTEN ${LIVE_CHANNEL}`);
    this.client = client;
    // Anything committed while this connection was not listening is read now.
    this.wake();
    return client;
  }
}

/** The log's end as a gap-safe reader may take it: the last event of the transactions that can no longer gain any. */
async function safeEnd(client: pg.ClientBase): Promise<Checkpoint> {
  const { rows } = await client.query<{ tx: string; pos: string }>(
    `SELECT transaction_id::text AS tx, global_position::text AS pos FROM events
      WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  const row = rows[0];
  return row ? { transactionId: row.tx, position: BigInt(row.pos) } : { transactionId: '0', position: 0n };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A hub of its own (tests: one that polls rarely hears only what it is told). */
export const newLiveHub = (databaseUrl: string, pollMs = POLL_MS) => new LiveHub(databaseUrl, pollMs);

/** This instance's hub (one per database), made on first use; closed at shutdown. */
export function liveHub(): LiveHub {
  const url = loadConfig().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return singleton(`liveHub:${url}`, () => {
    const hub = new LiveHub(url);
    onShutdown('live hub', 1, () => hub.stop());
    return hub;
  });
}
