import { describe, expect, it } from 'vitest';
import { groupBy, type CommandRow, type EventRow, type Ledger } from './ledger';
import {
  standingOrderCommandsMatchEvents,
  standingOrdersPayOnce,
  standingOrderStreamsAreWellFormed,
} from './standing-order-invariants';

// The standing-order rules of the invariant checker must be able to fail: each planted violation
// is reported, and the ledger it was planted in passes without it.

const O = '33333333-3333-4333-8333-333333333333';
const stream = `standingorder-${O}`;
let position = 0;
const event = (type: string, data: Record<string, unknown>, commandId: string): EventRow =>
  ({
    global_position: String(++position),
    stream_id: stream,
    version: position,
    type,
    data: { standingOrderId: O, ...data },
    metadata: { commandId },
    command_id: commandId,
    created_at: new Date(),
    xmin: '1',
  }) as EventRow;
const command = (command_id: string, type: string, status: string, streams = [stream]): CommandRow =>
  ({
    command_id,
    type,
    stream_ids: streams,
    status,
    outcome: { status },
    created_at: new Date(),
    xmin: '1',
  }) as CommandRow;

function ledger(events: EventRow[], commands: CommandRow[]): Ledger {
  return {
    events,
    commands,
    streams: groupBy(events, (e) => e.stream_id),
    eventsByCommand: groupBy(events, (e) => e.command_id),
    commandsById: groupBy(commands, (c) => c.command_id),
  } as Ledger;
}

const day = '2027-01-31';
const transfer = `standing-order:${O}:${day}`;
function paidOnce() {
  position = 0;
  const events = [
    event('StandingOrderCreated', { customerId: 'c' }, 'c:create'),
    event('OccurrenceStarted', { dueOn: day }, `${transfer}:1:start`),
    event('OccurrencePaid', { dueOn: day, transferCommandId: transfer }, `${transfer}:1:outcome`),
  ];
  const commands = [
    command('c:create', 'CreateStandingOrder', 'accepted'),
    command(`${transfer}:1:start`, 'StartOccurrence', 'accepted'),
    command(transfer, 'TransferMoney', 'accepted', ['account-a', 'account-b']),
    command(`${transfer}:1:outcome`, 'RecordOccurrenceOutcome', 'accepted'),
  ];
  return { events, commands };
}

describe('the standing-order invariants', () => {
  it('accept a payment made once and recorded once', () => {
    const { events, commands } = paidOnce();
    const l = ledger(events, commands);
    expect([
      ...standingOrdersPayOnce(l),
      ...standingOrderCommandsMatchEvents(l),
      ...standingOrderStreamsAreWellFormed(l),
    ]).toEqual([]);
  });

  it('report a second transfer for the same due day, and an outcome recorded twice', () => {
    const { events, commands } = paidOnce();
    const twice = [...commands, command(`${transfer}:retry`, 'TransferMoney', 'accepted', ['account-a', 'account-b'])];
    expect(standingOrdersPayOnce(ledger(events, twice)).join('\n')).toMatch(/\[standing-order-once\].*paid twice/);
    const again = [...events, event('OccurrenceRefused', { dueOn: day, reason: 'insufficient-funds' }, 'x')];
    expect(standingOrdersPayOnce(ledger(again, commands)).join('\n')).toMatch(/OccurrencePaid, OccurrenceRefused/);
  });

  it('report a transfer never recorded paid, and a payment whose transfer did not happen', () => {
    const { events, commands } = paidOnce();
    const unrecorded = [...events.slice(0, 2), event('OccurrenceStarted', { dueOn: '2027-02-28' }, 'y')];
    expect(standingOrdersPayOnce(ledger(unrecorded, commands)).join('\n')).toMatch(/transferred but not recorded paid/);
    const refused = commands.map((c) => (c.command_id === transfer ? { ...c, status: 'rejected' } : c));
    expect(standingOrdersPayOnce(ledger(events, refused)).join('\n')).toMatch(/paid, but its transfer is rejected/);
  });

  it('report a command with the wrong events and a stream that does not start with its creation', () => {
    const { events, commands } = paidOnce();
    const wrong = commands.map((c) => (c.type === 'StartOccurrence' ? { ...c, type: 'CancelStandingOrder' } : c));
    expect(standingOrderCommandsMatchEvents(ledger(events, wrong)).join('\n')).toMatch(/\[standing-order-command\]/);
    expect(standingOrderStreamsAreWellFormed(ledger(events.slice(1), commands)).join('\n')).toMatch(/first event/);
  });
});
