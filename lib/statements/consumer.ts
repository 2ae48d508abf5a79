// The statements consumer: reads IDEM_EVENTS with an ORDERED consumer from the stored sequence + 1
// and applies the messages in batches (./apply.ts: effect and sequence in one transaction). After a
// crash, a lost connection or a failed batch it starts over from what PostgreSQL says was applied:
// it never acknowledges, never skips, and a message it saw but did not commit is read again.
import type pg from 'pg';
import { DeliverPolicy, jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { isPublicEventType, PUBLIC_EVENT_SCHEMA_VERSION, type PublicEvent } from '@/lib/public-events/public-event';
import { BackgroundLoop, dedicatedClient, errorMessage, sleep } from '@/lib/streaming/background';
import { connectNats, ensureStream } from '@/lib/streaming/connection';
import { STREAM_NAME } from '@/lib/streaming/subjects';
import { applyBatch, readConsumerPosition, type StreamMessage } from './apply';
import { ensureStatementsSchema } from './schema';

export type ConsumerOptions = {
  batchSize?: number;
  log?: (line: string) => void;
  /** The app's role, granted SELECT on the schema. */
  readerRole?: string;
  onApplied?: (count: number, lastSequence: number) => void;
};

/** A message this consumer can read, null for one that is not a public event; throws on a newer schema. */
function decode(m: JsMsg): StreamMessage {
  let event: PublicEvent | null = null;
  try {
    event = m.json<PublicEvent>();
  } catch {
    return { seq: m.seq, subject: m.subject, event: null }; // not JSON: not a public event, passed over
  }
  if (!isPublicEventType(event?.type)) return { seq: m.seq, subject: m.subject, event: null };
  // A breaking change of the public schema: stop here (and read on from here once upgraded), never guess.
  if (event.data.schemaVersion > PUBLIC_EVENT_SCHEMA_VERSION)
    throw new Error(
      `stream sequence ${m.seq}: public event schema ${event.data.schemaVersion} is newer than this consumer`,
    );
  return { seq: m.seq, subject: m.subject, event };
}

export class StatementsConsumer extends BackgroundLoop {
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;

  constructor(
    private readonly urls: { database: string; nats: string },
    private readonly options: ConsumerOptions = {},
  ) {
    super();
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.halt();
    await this.nc?.close().catch(() => {});
  }

  protected async run(): Promise<void> {
    const log = this.options.log ?? (() => {});
    let schemaReady = false;
    while (!this.stopped) {
      let client: pg.Client | null = null;
      try {
        client = await dedicatedClient(this.urls.database, 'idem-statements');
        if (!schemaReady) await ensureStatementsSchema(client, this.options.readerRole);
        schemaReady = true;
        await this.follow(client);
      } catch (error) {
        if (!this.stopped) log(`statements consumer: ${errorMessage(error)}; reading on from the stored sequence`);
      } finally {
        this.messages?.stop();
        this.messages = null;
        await client?.end().catch(() => {});
      }
      if (!this.stopped) await sleep(250);
    }
  }

  /** Until an error: an ordered consumer from the stored sequence + 1, applied batch by batch. */
  private async follow(client: pg.Client): Promise<void> {
    const { batchSize = 200, onApplied } = this.options;
    this.nc ??= await connectNats(this.urls.nats, `idem-statements-${process.pid}`);
    await ensureStream(this.nc);
    const from = (await readConsumerPosition(client)) + 1;
    const consumer = await jetstream(this.nc).consumers.get(STREAM_NAME, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
    });
    const messages = await consumer.consume({ max_messages: 1_000 });
    this.messages = messages;
    const queue: StreamMessage[] = [];
    let ended: unknown = null;
    const reading = (async () => {
      for await (const m of messages) queue.push(decode(m));
    })().then(
      () => (ended = new Error('the stream subscription ended')),
      (error: unknown) => (ended = error),
    );
    while (!this.stopped) {
      if (queue.length === 0) {
        if (ended) throw ended;
        await sleep(10);
        continue;
      }
      const batch = queue.splice(0, batchSize);
      await applyBatch(client, batch);
      onApplied?.(batch.length, batch.at(-1)!.seq);
    }
    messages.stop();
    await reading;
  }
}
