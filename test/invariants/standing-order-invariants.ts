// Invariants of standing orders (lib/standing-orders): their streams, their own commands, and the
// promise the scheduler keeps however many instances run it: at most one transfer per order and
// due day, every outcome recorded once, and every paid occurrence naming a transfer that happened.
import { isStandingOrderCommand, isStandingOrderStream, violation, type EventRow, type Ledger } from './ledger';

const EXPECTED: Record<string, string[]> = {
  CreateStandingOrder: ['StandingOrderCreated'],
  StartOccurrence: ['OccurrenceStarted'],
  RecordOccurrenceOutcome: ['OccurrencePaid', 'OccurrenceRetryScheduled', 'OccurrenceRefused'],
  CancelStandingOrder: ['StandingOrderCancelled'],
};

/** [standing-order-shape] a standing-order stream starts with StandingOrderCreated, once; every event names its order. */
export function standingOrderStreamsAreWellFormed({ streams }: Ledger): string[] {
  const found: string[] = [];
  for (const [streamId, events] of streams) {
    if (!isStandingOrderStream(streamId)) continue;
    const id = streamId.slice('standingorder-'.length);
    if (events[0]?.type !== 'StandingOrderCreated')
      found.push(violation('standing-order-shape', `${streamId}: first event is ${events[0]?.type}`));
    for (const e of events) {
      if (e.data.standingOrderId !== id)
        found.push(violation('standing-order-shape', `${streamId} v${e.version}: names ${e.data.standingOrderId}`));
      if (e.version > 1 && e.type === 'StandingOrderCreated')
        found.push(violation('standing-order-shape', `${streamId}: created again at v${e.version}`));
    }
  }
  return found;
}

/** [standing-order-command] an accepted standing-order command wrote exactly one event of its kind; a rejected one none. */
export function standingOrderCommandsMatchEvents({ commands, eventsByCommand }: Ledger): string[] {
  const found: string[] = [];
  for (const command of commands.filter(isStandingOrderCommand)) {
    const events = eventsByCommand.get(command.command_id) ?? [];
    const allowed = EXPECTED[command.type];
    if (!allowed)
      found.push(violation('standing-order-command', `${command.command_id}: unknown type ${command.type}`));
    else if (
      command.status === 'rejected' ? events.length > 0 : events.length !== 1 || !allowed.includes(events[0]!.type)
    )
      found.push(
        violation(
          'standing-order-command',
          `${command.command_id} (${command.type}, ${command.status}): events [${events.map((e) => e.type).join(',')}]`,
        ),
      );
  }
  return found;
}

/** The standing order and due day of a scheduler transfer's command id, or null for any other command. */
const scheduledTransferOf = (commandId: string) => {
  const match = /^standing-order:([0-9a-f-]{36}):(\d{4}-\d{2}-\d{2})(:retry)?$/.exec(commandId);
  return match ? { standingOrderId: match[1]!, dueOn: match[2]!, retry: match[3] !== undefined } : null;
};

/**
 * [standing-order-once] per order and due day: at most one accepted transfer (first try or retry),
 * a retry only after a refused first try, at most one final outcome (paid or refused); every paid
 * occurrence names an accepted transfer of its own, and every accepted transfer is recorded paid
 * (unless it is the order's running occurrence, whose outcome is still to be recorded).
 */
export function standingOrdersPayOnce({ commands, streams }: Ledger): string[] {
  const found: string[] = [];
  const transfers = new Map<string, { first?: string; retry?: string }>();
  for (const c of commands) {
    const scheduled = c.type === 'TransferMoney' ? scheduledTransferOf(c.command_id) : null;
    if (!scheduled) continue;
    const key = `${scheduled.standingOrderId} ${scheduled.dueOn}`;
    const entry = transfers.get(key) ?? {};
    entry[scheduled.retry ? 'retry' : 'first'] = c.status;
    transfers.set(key, entry);
  }
  for (const [key, { first, retry }] of transfers) {
    if (first === 'accepted' && retry === 'accepted')
      found.push(violation('standing-order-once', `${key}: paid twice (first try and retry)`));
    if (retry !== undefined && first !== 'rejected')
      found.push(violation('standing-order-once', `${key}: a retry while the first try is ${first ?? 'missing'}`));
  }
  for (const [streamId, events] of streams) {
    if (!isStandingOrderStream(streamId)) continue;
    const outcomes = new Map<string, EventRow[]>();
    for (const e of events)
      if (e.type === 'OccurrencePaid' || e.type === 'OccurrenceRefused')
        outcomes.set(e.data.dueOn!, [...(outcomes.get(e.data.dueOn!) ?? []), e]);
    for (const [dueOn, recorded] of outcomes)
      if (recorded.length > 1)
        found.push(violation('standing-order-once', `${streamId} ${dueOn}: ${recorded.map((e) => e.type).join(', ')}`));
    const id = streamId.slice('standingorder-'.length);
    const last = events.at(-1);
    for (const [key, { first, retry }] of transfers) {
      const [orderId, dueOn] = key.split(' ');
      if (orderId !== id || (first !== 'accepted' && retry !== 'accepted')) continue;
      const paid = outcomes.get(dueOn!)?.find((e) => e.type === 'OccurrencePaid');
      const running = last?.type === 'OccurrenceStarted' && last.data.dueOn === dueOn;
      if (!paid && !running)
        found.push(violation('standing-order-once', `${streamId} ${dueOn}: transferred but not recorded paid`));
    }
    for (const e of events) {
      if (e.type !== 'OccurrencePaid') continue;
      const t = transfers.get(`${id} ${e.data.dueOn}`);
      const named = scheduledTransferOf(e.data.transferCommandId ?? '');
      const status = named?.retry ? t?.retry : t?.first;
      if (status !== 'accepted' || named?.dueOn !== e.data.dueOn)
        found.push(
          violation('standing-order-once', `${streamId} ${e.data.dueOn}: paid, but its transfer is ${status}`),
        );
    }
  }
  return found;
}
