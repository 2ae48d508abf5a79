import { describe, expect, it } from 'vitest';
import { eventMetadataOf, storedMetadataOf, type EventMetadata } from './types';

// What an event's row stores of its metadata, and what its readers get back. The ids and the
// command type are said once, by the event's and its command's rows; the row keeps the rest.

const command = { commandId: 'cust-1:key-1', type: 'WithdrawMoney' };
const written: EventMetadata = {
  commandId: command.commandId,
  commandType: command.type,
  causationId: command.commandId,
  correlationId: command.commandId,
  schemaVersion: 2,
};

describe('event metadata, stored and read', () => {
  it('stores only the schema version when everything else is implied', () => {
    expect(storedMetadataOf(written, command)).toEqual({ schemaVersion: 2 });
  });

  it('reads back what was written, field for field, given the command type', () => {
    const read = eventMetadataOf(storedMetadataOf(written, command), command.commandId, command.type);
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
    const stored = storedMetadataOf(caused, command);
    expect(stored).toEqual({
      causationId: 'order-7:occurrence-3',
      correlationId: 'order-7',
      commandType: 'Other',
      schemaVersion: 2,
    });
    expect(eventMetadataOf(stored, command.commandId, command.type)).toEqual(caused);
  });

  it('a row written before the trim (all fields stored) reads the same', () => {
    expect(eventMetadataOf({ ...written }, command.commandId, command.type)).toEqual(written);
    expect(eventMetadataOf({ ...written }, command.commandId)).toEqual(written);
  });

  it('a row without metadata still names its command', () => {
    expect(eventMetadataOf(null, 'c')).toEqual({ commandId: 'c', causationId: 'c', correlationId: 'c' });
  });
});
