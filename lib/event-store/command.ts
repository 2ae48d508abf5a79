// The engine's command vocabulary: what a module hands the engine for one command, what the engine
// decides with it, and what it answers. Types only; every part of the engine (the handler, the
// stream queue, the decisions, the outcomes) speaks it, and none of them owns it.
import type { InlineProjection, ProjectionWrite } from './inline-projection';
import type { WriteConflict } from '@/lib/db/pg-errors';
import type { LoadedStream, OutcomeCodec, SnapshotWrite, StoredOutcome, StreamAppend } from './types';

export type CommandResult<Result, Rejection> =
  | (StoredOutcome<Result, Rejection> & { commandId: string; replayed: boolean })
  | { status: 'key-reused'; commandId: string; originalType: string }
  | { status: 'busy'; commandId: string; attempts: number };

type Work = { appends: StreamAppend[]; projections: ProjectionWrite[]; snapshots: SnapshotWrite[] };

export type Decided<Result, Rejection> =
  { status: 'accepted'; result: Result; work: Work } | { status: 'rejected'; rejection: Rejection };

/** What a module hands the engine for one command: everything the engine knows of its domain. */
export type CommandSpec<Result, Rejection> = {
  commandId: string;
  type: string;
  /** sha256 of the normalized client request (./fingerprint.ts): a reused key with another request is refused. */
  fingerprint: string;
  streamIds: string[];
  at: Date;
  /** Load snapshots of this schema version (null: always replay from version 1). */
  snapshotSchemaVersion: number | null;
  /** The inline projections this command may write (all of them are part of its one statement). */
  projections: readonly InlineProjection[];
  /** Pure: given the current state of `streamIds`, what happens. Called again after a conflict. */
  decide: (streams: Map<string, LoadedStream>) => Decided<Result, Rejection>;
  /** How the outcome is stored, when leaner than its JSON (without one: `{status, result | rejection}`). */
  outcomeCodec?: OutcomeCodec<Result, Rejection>;
};

/** A spec of any result and rejection, as the engine's internals carry it. */
export type AnyCommandSpec = CommandSpec<unknown, unknown>;

/** Called on every write conflict that leads to a retry (for metrics, logs and tests). */
export type ConflictObserver = (conflict: WriteConflict, attempt: number) => void;
