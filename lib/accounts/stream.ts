import { evolve, initialState, type Account, type AccountEvent } from '@/lib/accounts/domain/account';
import { EVENT_SCHEMA_VERSIONS, storedDataOf, upcastRow } from '@/lib/accounts/domain/upcast';
import {
  snapshotDue,
  type EventMetadata,
  type LoadedStream,
  type NewEvent,
  type RecordedEvent,
  type SnapshotWrite,
} from '@/lib/event-store';

// The account stream as the engine stores it: events in and out of their stored shape, snapshots.

/** Bump when the shape of `Account` changes: older snapshots are then ignored and rewritten. */
export const ACCOUNT_SNAPSHOT_SCHEMA = 2;

/** A stored event in today's shape (old schema versions are upcast; what its row says is put back). */
export const accountEventOf = (event: {
  type: string;
  data: unknown;
  metadata: unknown;
  streamId: string;
  createdAt: Date | string;
}): AccountEvent => upcastRow({ ...event, createdAt: new Date(event.createdAt) });

/** The account after a whole stream (from version 1). */
export function rehydrate(events: RecordedEvent[]): Account {
  return events.map(accountEventOf).reduce(evolve, initialState());
}

/** The account after a loaded stream: its snapshot (if any), then the events after it. */
export function rehydrateLoaded(stream: LoadedStream): Account {
  return stream.events
    .map(accountEventOf)
    .reduce(evolve, (stream.snapshot?.state as Account | undefined) ?? initialState());
}

function eventMetadata(commandId: string, commandType: string, eventType: AccountEvent['type']): EventMetadata {
  return {
    commandId,
    commandType,
    causationId: commandId,
    correlationId: commandId,
    schemaVersion: EVENT_SCHEMA_VERSIONS[eventType],
  };
}

/**
 * The events of one stream for the unit of work, with per-type metadata, their data in its stored
 * form (storedDataOf: without what the row says; `at` is the command's time, ISO).
 */
export function toNewEvents(
  events: AccountEvent[],
  streamId: string,
  at: string,
  commandId: string,
  commandType: string,
): NewEvent[] {
  return events.map((e) => ({
    type: e.type,
    data: storedDataOf(e, streamId, at),
    metadata: eventMetadata(commandId, commandType, e.type),
  }));
}

/** A snapshot of the account's state when this commit crosses a multiple of `every` events. */
export function accountSnapshotIfDue(
  streamId: string,
  fromVersion: number,
  toVersion: number,
  state: Account,
  every: number,
): SnapshotWrite[] {
  return snapshotDue(fromVersion, toVersion, every)
    ? [{ streamId, version: toVersion, schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA, state }]
    : [];
}
