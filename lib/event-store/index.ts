// The exactly-once engine's face: everything a module, a page, a script or a test outside this
// folder may use of it (lint refuses any other path into lib/event-store). The engine knows
// streams, events, command records, snapshots and the projection rows a command spec hands it;
// never a domain.

// Handling a command: the spec a module hands the engine, and what the engine answers.
export { handleCommand } from './handler';
export type { CommandResult, CommandSpec, ConflictObserver } from './command';
export type { RetryPolicy } from './contention';
export type { WriteConflict } from '@/lib/db/pg-errors';
export { fingerprint } from './fingerprint';

// What a spec is made of: streams and events, snapshots, inline projections.
export {
  emptyStream,
  eventMetadataOf,
  storedMetadataFrom,
  storedMetadataSql,
  type EventMetadata,
  type LoadedStream,
  type NewEvent,
  type OutcomeCodec,
  type RecordedEvent,
  type SnapshotWrite,
  type StoredOutcome,
} from './types';
export { snapshotDue, snapshotEvery } from './snapshots';
export { defineInlineProjection, type ProjectionWrite } from './inline-projection';

// Reading the store (admin views, the events API, tests).
export { loadForCommand, readStream, readStreamPage } from './load';
// A command's key: how `commands` and `events` name a command id (stored once, in the command's row).
export { commandKeyOf, commandKeySql } from './command-key';
export { streamIs, streamIsAnyOf } from './stream-key';

// Retention of idempotency keys (`npm run prune`).
export { pruneCommands } from './retention';

// The process's queues and hints, bounded: for tests that steer a path and the benchmark's memory report.
export { MAX_BATCH, MAX_WAITING_PER_STREAM, queueSize } from './command-queue';
export { markContended, markShared } from './contention';
export { streamsInTurn } from './stream-turns';
