// Where each event of the log goes in JetStream: the stream IDEM_EVENTS, one subject per event
// stream, `idem.events.<stream type>.<stream id>` (`account-<uuid>` → `idem.events.account.<uuid>`).
// Pure: the relay, the consumers, the benchmark and the tests share it.

export const STREAM_NAME = 'IDEM_EVENTS';
const SUBJECT_PREFIX = 'idem.events';
/** Every subject of the stream. */
export const ALL_SUBJECTS = `${SUBJECT_PREFIX}.>`;

/** Headers the relay puts on each message besides Nats-Msg-Id (the position lets a restart reconcile). */
export const HEADER = {
  transactionId: 'Idem-Transaction-Id',
  globalPosition: 'Idem-Global-Position',
  streamId: 'Idem-Stream-Id',
  version: 'Idem-Stream-Version',
} as const;

const UUID_TAIL = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** A subject token may not be empty or hold `.`, `*`, `>` or white space. */
const token = (raw: string) => {
  const cleaned = raw.replace(/[.*>\s]/g, '_');
  return cleaned === '' ? '_' : cleaned;
};

/**
 * The stream type and the id within it: the id is the trailing uuid, the type everything before it
 * (so a future `payment-order-<uuid>` is type `payment-order`); without a uuid tail, the split is at
 * the last `-`; without a `-`, the type is `stream`.
 */
export function splitStreamId(streamId: string): { type: string; id: string } {
  const uuid = UUID_TAIL.exec(streamId);
  if (uuid && uuid.index > 0) return { type: streamId.slice(0, uuid.index), id: uuid[1]! };
  const dash = streamId.lastIndexOf('-');
  if (dash > 0 && dash < streamId.length - 1) return { type: streamId.slice(0, dash), id: streamId.slice(dash + 1) };
  return { type: 'stream', id: streamId };
}

export function subjectOf(streamId: string): string {
  const { type, id } = splitStreamId(streamId);
  return `${SUBJECT_PREFIX}.${token(type)}.${token(id)}`;
}
