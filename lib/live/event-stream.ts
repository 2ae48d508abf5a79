import 'server-only';
import type pg from 'pg';
import { poolOf, db } from '@/lib/db/prisma';
import { streamIs } from '@/lib/event-store';
import { log } from '@/lib/observability/log';
import { onDrain } from '@/lib/process/lifecycle';
import { LOG_EVENT_COLUMNS, toLogEvent, type LogEvent, type LogEventRow } from '@/lib/projections/global-log';
import { loadAccountDirectory } from '@/lib/public-events/account-directory';
import { toPublicEvent } from '@/lib/public-events/public-event';
import { liveHub } from './hub';
import { formatSseEvent, SSE_COMMENT, SSE_RETRY } from './sse-format';

// One account's events as Server-Sent Events (GET /api/accounts/{id}/events/stream). Each event's
// `id:` is its global log position and its `data:` the public event (lib/public-events), so a client
// that reconnects with Last-Event-ID gets exactly what came after.
//
// Resuming by position is gap-free within one account stream: version N+1 of a stream is appended
// only by a transaction that read version N committed (the (stream, version) constraint turns
// anything else into a conflict and a retry), so its position is taken after N's and the stream's
// positions grow with its versions. The stream first subscribes to the hub (lib/live/hub.ts, which
// reads the global log gap-safe), then reads its backlog past Last-Event-ID, then sends what the
// hub delivered meanwhile: an event in both is sent once (only positions past the last one sent go out).

const BACKLOG_PAGE = 500;

type Options = {
  accountId: string;
  /** Send the events after this position (Last-Event-ID); else those after `afterVersion`. */
  after: bigint | null;
  /**
   * Without `after`: send the events after the account's version N (the version a page rendered, so
   * nothing committed between its render and this connection is missed); the stream's current end
   * when absent too.
   */
  afterVersion?: bigint | null;
  heartbeatMs: number;
  /** The request's signal: the client went away. */
  signal: AbortSignal;
  /** Called once when the stream ends, however it ends. */
  onClose: () => void;
};

const encoder = new TextEncoder();

export async function openEventStream(options: Options): Promise<Response> {
  const { accountId, heartbeatMs, signal, onClose } = options;
  const streamId = `account-${accountId}`;
  const pool = poolOf(db());
  // "From now on" is fixed before the answer starts: an event committed once the client has the
  // headers is after it, and the backlog read below sends it even if the hub saw it first.
  let start: bigint;
  try {
    start =
      options.after ??
      (options.afterVersion != null
        ? await versionPosition(pool, streamId, options.afterVersion)
        : await streamEnd(pool, streamId));
  } catch (error) {
    onClose();
    throw error;
  }
  let cleanup: (() => void) | null = null;

  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let lastSent = start;
      let live = false;
      const held: LogEvent[] = [];
      let chain = Promise.resolve();
      let unsubscribe: () => void = () => {};
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close(); // the body was cancelled under us: the client is gone
        }
      };
      const heartbeat = setInterval(() => write(SSE_COMMENT), heartbeatMs);
      const stopDrainWatch = onDrain(() => close());
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        stopDrainWatch();
        unsubscribe();
        signal.removeEventListener('abort', close);
        try {
          controller.close();
        } catch {
          // already closed by the client's cancel
        }
        onClose();
      };
      cleanup = close;
      signal.addEventListener('abort', close);
      if (signal.aborted) return close();

      // In order, one batch after the other; only positions past the last one sent go out.
      const send = (events: LogEvent[]) => {
        chain = chain.then(async () => {
          const fresh = events.filter((e) => e.globalPosition > lastSent);
          if (closed || fresh.length === 0) return;
          const client = await pool.connect();
          try {
            await sendAll(client, fresh);
          } finally {
            client.release();
          }
        });
        return chain;
      };
      const sendAll = async (client: pg.ClientBase, events: LogEvent[]) => {
        const directory = await loadAccountDirectory(client, events);
        for (const event of events) {
          const published = toPublicEvent(event, directory);
          if (published) write(formatSseEvent(String(event.globalPosition), published.type, JSON.stringify(published)));
          lastSent = event.globalPosition;
        }
      };

      try {
        write(SSE_RETRY);
        unsubscribe = await liveHub().subscribe(streamId, (events) => {
          if (live) void send(events).catch(fail);
          else held.push(...events);
        });
        for (;;) {
          const page = await backlog(pool, streamId, lastSent);
          await send(page);
          if (page.length < BACKLOG_PAGE) break;
        }
        live = true;
        await send(held.splice(0));
        write(SSE_COMMENT);
      } catch (error) {
        fail(error);
      }

      function fail(error: unknown) {
        log().warn(
          { component: 'live', err: { message: error instanceof Error ? error.message : String(error) } },
          'event stream failed',
        );
        close();
      }
    },
    cancel() {
      cleanup?.();
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: a compressing proxy (or Next's own gzip) must not hold events back.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}

/** A stream's events ($1) after a global position ($2), at most $3; and its latest position. Exported for the plan tests. */
export const BACKLOG = `SELECT ${LOG_EVENT_COLUMNS} FROM events WHERE ${streamIs('stream_id', '$1')} AND global_position > $2::bigint ORDER BY version LIMIT $3`;
export const STREAM_END = `SELECT max(global_position)::text AS pos FROM events WHERE ${streamIs('stream_id', '$1')}`;
/** The position of a stream's ($1) latest event at or below a version ($2). */
export const VERSION_POSITION = `SELECT global_position::text AS pos FROM events WHERE ${streamIs('stream_id', '$1')} AND version <= $2::bigint ORDER BY version DESC LIMIT 1`;

async function backlog(pool: pg.Pool, streamId: string, after: bigint): Promise<LogEvent[]> {
  const { rows } = await pool.query<LogEventRow>(BACKLOG, [streamId, after.toString(), BACKLOG_PAGE]);
  return rows.map(toLogEvent);
}

/**
 * Where a stream stands at a version: the position of its event of that version (of its latest event
 * below it when the stream is shorter; 0 before its first). Every later version has a later position
 * (see the top of this file), so the events after it are exactly the versions after `version`.
 */
async function versionPosition(pool: pg.Pool, streamId: string, version: bigint): Promise<bigint> {
  const { rows } = await pool.query<{ pos: string }>(VERSION_POSITION, [streamId, version.toString()]);
  return BigInt(rows[0]?.pos ?? 0);
}

/** The position of the stream's latest event (0 if it has none). */
async function streamEnd(pool: pg.Pool, streamId: string): Promise<bigint> {
  const { rows } = await pool.query<{ pos: string | null }>(STREAM_END, [streamId]);
  return BigInt(rows[0]?.pos ?? 0);
}
