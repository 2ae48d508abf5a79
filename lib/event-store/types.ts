// The engine's vocabulary. It knows streams, events, command records, snapshots and the rows a
// command spec asks it to project inline; it knows nothing of any particular domain.

export type EventMetadata = {
  commandId: string;
  commandType: string;
  causationId: string;
  correlationId: string;
  /** The schema version of `data` as written; readers upcast older versions. */
  schemaVersion: number;
};

export type NewEvent = { type: string; data: unknown; metadata: EventMetadata };
export type StreamAppend = { streamId: string; expectedVersion: number; events: NewEvent[] };

export type RecordedEvent = {
  globalPosition: bigint;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  commandId: string;
  createdAt: Date;
};

/** What an upcaster needs of a stored event, whichever reader (engine, Prisma, raw SQL) fetched it. */
export type StoredEvent = { type: string; data: unknown; schemaVersion?: number };

export function storedEventOf(event: { type: string; data: unknown; metadata: unknown }): StoredEvent {
  const schemaVersion = (event.metadata as { schemaVersion?: unknown } | null)?.schemaVersion;
  return {
    type: event.type,
    data: event.data,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : undefined,
  };
}

/** What is stored for a command and replayed to its duplicates. */
export type StoredOutcome<Result, Rejection> =
  { status: 'accepted'; result: Result } | { status: 'rejected'; rejection: Rejection };

/** A row of the command log: one per command id, written in the same statement as its events. */
export type CommandRecord = {
  commandId: string;
  type: string;
  streamIds: string[];
  fingerprint: string;
  status: 'accepted' | 'rejected';
  outcome: unknown;
  createdAt: Date;
};

type Snapshot = { version: number; state: unknown };
export type SnapshotWrite = { streamId: string; version: number; schemaVersion: number; state: unknown };

/** A stream as loaded for a decision: the latest usable snapshot, then the events after it. */
export type LoadedStream = { snapshot: Snapshot | null; events: RecordedEvent[]; version: number };

export const emptyStream = (): LoadedStream => ({ snapshot: null, events: [], version: 0 });
