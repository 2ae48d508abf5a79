// The JetStream relay: publishes every event of the log, in gap-safe global order
// (lib/projections/global-log.ts), to the stream IDEM_EVENTS, one subject per event stream
// (./subjects.ts), with Nats-Msg-Id = the public event id and the public event schema as the body.
//
// Every app instance (and `npm run relay`) may run one; only the holder of a session advisory lock
// publishes, the others poll for it, so a standby takes over within a poll of the leader's session
// ending. The position (relay_positions) moves only after JetStream acknowledged, so a crash
// re-publishes at most the unacknowledged tail: within JetStream's duplicate window the broker drops
// those repeats (same Nats-Msg-Id); after it, the start-up reconciliation with the stream's last
// message (its Idem-Transaction-Id / Idem-Global-Position headers) moves the position past them first.
//
// One NATS connection that never reconnects by itself: at the first error it is closed, and the next
// round re-sends from the position, in order, on a new one. A client that reconnected and flushed its
// buffer could store a later event before an earlier one that was lost with the old socket.
import type pg from 'pg';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { isConnectionError } from '@/lib/db/connection-errors';
import { lagOf, readGlobalLog, type Checkpoint, type LogEvent } from '@/lib/projections/global-log';
import { publicEventId } from '@/lib/public-events/public-event';
import { publicFormsOf } from '@/lib/public-events/public-forms';
import { BackgroundLoop, dedicatedClient, errorMessage, sleep } from './background';
import { connectNats, ensureStream, PUBLISH_TIMEOUT_MS } from './connection';
import { advanceRelayPosition, readRelayPosition, RELAY_NAME } from './position';
import { ALL_SUBJECTS, HEADER, STREAM_NAME, subjectOf } from './subjects';

/** Key space of the relay's leader lock (two-int advisory lock; the projections use 0x1de5). */
export const RELAY_LOCK_CLASS = 0x1de6;

export type RelayOptions = {
  pollMs?: number;
  batchSize?: number;
  log?: (line: string) => void;
  /** Called after each acknowledged batch (metrics). */
  onPublished?: (count: number, lag: number) => void;
  onReconnect?: () => void;
};

type Nats = { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager };

export class Relay extends BackgroundLoop {
  private client: pg.Client | null = null;
  private nats: Nats | null = null;
  private leading = false;
  private connections = 0;
  private natsTrouble: string | null = null;

  constructor(
    private readonly urls: { database: string; nats: string },
    private readonly options: RelayOptions = {},
  ) {
    super();
  }

  async stop(): Promise<void> {
    await this.halt();
    await this.nats?.nc.close().catch(() => {});
    await this.client?.end().catch(() => {});
  }

  leads(): boolean {
    return this.leading;
  }

  protected async run(): Promise<void> {
    const { pollMs = 250, batchSize = 500, log = () => {} } = this.options;
    while (!this.stopped) {
      let full = false;
      try {
        const client = await this.connection();
        if (!this.leading) {
          const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
            RELAY_LOCK_CLASS,
            RELAY_NAME,
          ]);
          this.leading = rows[0]?.ok === true;
          if (this.leading) log(`relay: this process (pid ${process.pid}) now publishes the log to JetStream`);
        }
        if (this.leading) full = (await this.round(client, batchSize)) === batchSize;
        this.natsTrouble = null;
      } catch (error) {
        if (error instanceof NatsFailure) {
          // NATS down or slow: keep the lead and the position, say it once, retry at every poll.
          if (error.message !== this.natsTrouble)
            log(`relay: NATS: ${error.message}; a new connection re-sends from the stored position`);
          this.natsTrouble = error.message;
        } else if (isConnectionError(error)) {
          log(`relay: ${errorMessage(error)}; reconnecting to PostgreSQL (the lead goes with the session)`);
          this.leading = false;
          await this.client?.end().catch(() => {});
          this.client = null;
        } else {
          log(`relay: ${errorMessage(error)}`);
        }
        await this.dropNats();
      }
      if (!full && !this.stopped) await sleep(pollMs);
    }
  }

  /** One batch: read after the position, publish in order, wait for every ack, then advance. */
  private async round(client: pg.Client, batchSize: number): Promise<number> {
    const nats = await this.natsConnection(client);
    const from = await readRelayPosition(client);
    const events = await readGlobalLog(client, from, batchSize);
    if (events.length === 0) {
      this.options.onPublished?.(0, 0);
      return 0;
    }
    // Standing orders: their outcomes are published; their other steps have no public form and are passed over.
    const { forms } = await publicFormsOf(client, events);
    // All in flight at once on the one connection: JetStream stores them in the order they were sent.
    const acks = events.map((event, i) => {
      const body = forms[i];
      return body ? publish(nats.js, event, JSON.stringify(body)) : Promise.resolve(null);
    });
    const settled = await Promise.allSettled(acks);
    const failed = settled.findIndex((s) => s.status === 'rejected');
    const acked = failed === -1 ? events.length : failed;
    if (acked > 0) {
      const last = events[acked - 1]!;
      const seqs = settled.slice(0, acked).map((s) => (s.status === 'fulfilled' ? (s.value ?? 0) : 0));
      await advanceRelayPosition(client, checkpointOf(last), acked, Math.max(0, ...seqs));
      this.options.onPublished?.(acked, await lagOf(client, checkpointOf(last)));
    }
    if (failed !== -1) throw new NatsFailure((settled[failed] as PromiseRejectedResult).reason);
    return events.length;
  }

  private async natsConnection(client: pg.Client): Promise<Nats> {
    if (this.nats) return this.nats;
    const nc = await onNats(() => connectNats(this.urls.nats, `idem-relay-${process.pid}`, { reconnect: false }));
    try {
      const jsm = await onNats(() => ensureStream(nc));
      const nats = { nc, js: jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS }), jsm };
      await reconcile(client, jsm);
      if (this.connections++ > 0) this.options.onReconnect?.();
      this.nats = nats;
      return nats;
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
  }

  private async dropNats(): Promise<void> {
    const nats = this.nats;
    this.nats = null;
    await nats?.nc.close().catch(() => {});
  }

  private async connection(): Promise<pg.Client> {
    this.client ??= await dedicatedClient(this.urls.database, `idem-relay-${process.pid}`);
    return this.client;
  }
}

/** A failure of NATS (connect, stream, publish, ack), as opposed to one of PostgreSQL. */
class NatsFailure extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
  }
}

async function onNats<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof NatsFailure ? error : new NatsFailure(error);
  }
}

const checkpointOf = (event: LogEvent): Checkpoint => ({
  transactionId: event.transactionId,
  position: event.globalPosition,
});

async function publish(js: JetStreamClient, event: LogEvent, body: string): Promise<number> {
  const h = headers();
  h.set(HEADER.transactionId, event.transactionId);
  h.set(HEADER.globalPosition, event.globalPosition.toString());
  h.set(HEADER.streamId, event.streamId);
  h.set(HEADER.version, String(event.version));
  const ack = await js.publish(subjectOf(event.streamId), body, {
    msgID: publicEventId(event.streamId, event.version),
    headers: h,
    timeout: PUBLISH_TIMEOUT_MS,
  });
  return ack.seq;
}

/**
 * The stream may be ahead of the stored position (acknowledged, then the relay died before it wrote
 * the position): its last message names the last event it holds, so the position moves there and
 * nothing is sent twice even after the duplicate window.
 */
async function reconcile(client: pg.ClientBase, jsm: JetStreamManager): Promise<void> {
  const last = await onNats(() => jsm.streams.getMessage(STREAM_NAME, { last_by_subj: ALL_SUBJECTS }));
  const tx = last?.header?.get(HEADER.transactionId);
  const position = last?.header?.get(HEADER.globalPosition);
  if (!last || !tx || !position) return;
  const stored = await readRelayPosition(client);
  const inStream = { transactionId: tx, position: BigInt(position) };
  if (isAfter(inStream, stored)) await advanceRelayPosition(client, inStream, 0, last.seq);
}

function isAfter(a: Checkpoint, b: Checkpoint): boolean {
  const [ax, bx] = [BigInt(a.transactionId), BigInt(b.transactionId)];
  return ax > bx || (ax === bx && a.position > b.position);
}
