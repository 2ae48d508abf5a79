// One way to connect to NATS and to make sure the stream exists, for the relay, the statements
// consumer, the benchmark and the tests. Options from the spike (docs/streaming.md): reconnect for
// ever, short publish timeouts (a publish hung across a reconnect otherwise waits 5 s).
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { ALL_SUBJECTS, STREAM_NAME } from './subjects';

/** How long JetStream remembers a Nats-Msg-Id (its publish dedup holds only this long). */
const DUPLICATE_WINDOW_MS = 120_000;
export const PUBLISH_TIMEOUT_MS = 2_000;

/** `reconnect: false` for a publisher that must stop at the first error (see ./relay.ts). */
export function connectNats(url: string, name: string, options: { reconnect?: boolean } = {}): Promise<NatsConnection> {
  const { hostname, port } = new URL(url);
  return connect({
    servers: `${hostname}:${port || 4222}`,
    name,
    reconnect: options.reconnect ?? true,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: options.reconnect ?? true,
    reconnectTimeWait: 250,
    timeout: 5_000,
  });
}

/** Creates IDEM_EVENTS (file storage, limits retention, no size limit) unless it exists. */
export async function ensureStream(nc: NatsConnection): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc, { timeout: PUBLISH_TIMEOUT_MS * 5 });
  try {
    await jsm.streams.info(STREAM_NAME);
  } catch {
    await jsm.streams.add({
      name: STREAM_NAME,
      subjects: [ALL_SUBJECTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  }
  return jsm;
}
