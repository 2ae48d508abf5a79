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

/** An event's metadata as read back: the command type only where the reader has its command's row. */
export type ReadEventMetadata = Omit<EventMetadata, 'commandType'> & { commandType?: string };

/**
 * What `events.metadata` holds of an event's metadata: only what the event's row and its command's
 * row do not already say, or null when that is nothing (nearly always). The schema version is the
 * row's `schema_version`, the command id its command's (`command_key` links them), the command type
 * the command row's `type`, and causation and correlation are the command id unless an event says
 * otherwise. Stored: no bytes instead of about 234 (37 for `{"schemaVersion": n}` before this column).
 */
export function storedMetadataOf(
  metadata: EventMetadata,
  command: { commandId: string; type: string },
): Record<string, unknown> | null {
  const stored: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    const implied =
      key === 'commandType'
        ? command.type
        : key === 'commandId' || key === 'causationId' || key === 'correlationId'
          ? command.commandId
          : key === 'schemaVersion'
            ? value // its own column
            : undefined;
    if (value !== implied) stored[key] = value;
  }
  return Object.keys(stored).length === 0 ? null : stored;
}

/**
 * An event's stored metadata with its schema version put back, from its two columns: what
 * eventMetadataOf takes. A row written before the schema version had a column holds it in `metadata`.
 */
export function storedMetadataFrom(row: { metadata: unknown; schemaVersion: number | null }): Record<string, unknown> {
  return {
    ...(row.schemaVersion === null ? {} : { schemaVersion: row.schemaVersion }),
    ...(row.metadata !== null && typeof row.metadata === 'object' ? row.metadata : {}),
  };
}

/** The same in SQL, for readers of `events` (alias `e.` or none): a jsonb of what `storedMetadataFrom` gives. */
export const storedMetadataSql = (alias = ''): string =>
  `(jsonb_strip_nulls(jsonb_build_object('schemaVersion', ${alias}schema_version)) || coalesce(${alias}metadata, '{}'))`;

/**
 * An event's metadata as its readers see it, from what is stored (storedMetadataOf) and the event's
 * command id (and its command's type, when the reader has it). Events written before the stored form
 * was trimmed hold all of it; what a row holds always wins.
 */
export function eventMetadataOf(stored: unknown, commandId: string, commandType?: string): ReadEventMetadata {
  return {
    commandId,
    causationId: commandId,
    ...(commandType === undefined ? {} : { commandType }),
    correlationId: commandId,
    ...(stored !== null && typeof stored === 'object' ? stored : {}),
  } as ReadEventMetadata;
}

export type NewEvent = { type: string; data: unknown; metadata: EventMetadata };
export type StreamAppend = { streamId: string; expectedVersion: number; events: NewEvent[] };

export type RecordedEvent = {
  globalPosition: bigint;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: ReadEventMetadata;
  commandId: string;
  createdAt: Date;
};

/** What is stored for a command and replayed to its duplicates. */
export type StoredOutcome<Result, Rejection> =
  { status: 'accepted'; result: Result } | { status: 'rejected'; rejection: Rejection };

/**
 * How a command's outcome is stored when its JSON would repeat what the command row or its streams
 * already say: `encode` gives the stored form, `decode` an equal outcome back from it, the command's
 * stream ids and its streams as loaded now (a replay answers byte for byte what the first answer
 * said, so a codec takes from the streams only what never changes once written). A stored form the
 * codec did not make (a row written before it, or an outcome it leaves as it is) decodes to itself.
 */
export type OutcomeCodec<Result, Rejection> = {
  encode(outcome: StoredOutcome<Result, Rejection>): unknown;
  decode(
    stored: unknown,
    command: { streamIds: string[] },
    streams: ReadonlyMap<string, LoadedStream>,
  ): StoredOutcome<Result, Rejection>;
};

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

/**
 * An event as the engine loads it for a decision: what folding it needs, and its stored metadata
 * (with its schema version). Not its command id: no decision reads it, and the event's row names its
 * command by key (a look-up per event that the load would pay on every command).
 */
export type LoadedEvent = Omit<RecordedEvent, 'commandId' | 'metadata'> & { metadata: Record<string, unknown> };

/** A stream as loaded for a decision: the latest usable snapshot, then the events after it. */
export type LoadedStream = { snapshot: Snapshot | null; events: LoadedEvent[]; version: number };

export const emptyStream = (): LoadedStream => ({ snapshot: null, events: [], version: 0 });
