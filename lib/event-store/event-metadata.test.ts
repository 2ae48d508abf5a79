import { describe, expect, it } from 'vitest';
import { eventMetadataOf, storedMetadataFrom, storedMetadataOf, type EventMetadata } from './types';

// What an event's row stores of its metadata, and what its readers get back. The ids and the
// command type are said once, by the event's and its command's rows, the schema version by its own
// column; the metadata column keeps the rest, or nothing (null).

/** The two columns an event's row stores for its metadata, as the unit of work writes them. */
const columnsOf = (metadata: EventMetadata) => ({
  metadata: storedMetadataOf(metadata, command),
  schemaVersion: metadata.schemaVersion,
});

const command = { commandId: 'cust-1:key-1', type: 'WithdrawMoney' };
const written: EventMetadata = {
  commandId: command.commandId,
  commandType: command.type,
  causationId: command.commandId,
  correlationId: command.commandId,
  schemaVersion: 2,
};

describe('event metadata, stored and read', () => {
  it('stores nothing in the metadata column when everything is implied (the version has its column)', () => {
    expect(columnsOf(written)).toEqual({ metadata: null, schemaVersion: 2 });
  });

  it('reads back what was written, field for field, given the command type', () => {
    const read = eventMetadataOf(storedMetadataFrom(columnsOf(written)), command.commandId, command.type);
    expect(read).toEqual(written);
  });

  it('without the command row the type is left out, the ids are still the command id', () => {
    expect(eventMetadataOf({ schemaVersion: 2 }, command.commandId)).toEqual({
      commandId: command.commandId,
      causationId: command.commandId,
      correlationId: command.commandId,
      schemaVersion: 2,
    });
  });

  it('keeps what differs from its command: another causation, correlation or type', () => {
    const caused = { ...written, causationId: 'order-7:occurrence-3', correlationId: 'order-7', commandType: 'Other' };
    const stored = columnsOf(caused);
    expect(stored).toEqual({
      metadata: { causationId: 'order-7:occurrence-3', correlationId: 'order-7', commandType: 'Other' },
      schemaVersion: 2,
    });
    expect(eventMetadataOf(storedMetadataFrom(stored), command.commandId, command.type)).toEqual(caused);
  });

  it('a row written before the trim (all fields stored) reads the same', () => {
    expect(eventMetadataOf({ ...written }, command.commandId, command.type)).toEqual(written);
    expect(eventMetadataOf({ ...written }, command.commandId)).toEqual(written);
  });

  it('a row written before the schema version had its column: the metadata says it', () => {
    const before = { metadata: { schemaVersion: 1 }, schemaVersion: null };
    expect(eventMetadataOf(storedMetadataFrom(before), command.commandId)).toMatchObject({ schemaVersion: 1 });
    const full = { metadata: { ...written }, schemaVersion: null };
    expect(eventMetadataOf(storedMetadataFrom(full), command.commandId)).toEqual(written);
  });

  it('a row without metadata still names its command', () => {
    expect(eventMetadataOf(null, 'c')).toEqual({ commandId: 'c', causationId: 'c', correlationId: 'c' });
  });
});
