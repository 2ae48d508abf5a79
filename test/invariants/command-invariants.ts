// Invariants of the command rows: one row per command, one commit for all it wrote, the events its
// outcome implies and nothing else.
import { commandKeyOf } from '@/lib/event-store';
import {
  groupBy,
  isStandingOrderCommand,
  violation,
  type CommandRow,
  type EventRow,
  type Ledger,
  type TransferResult,
} from './ledger';

const FROZEN_XID = '2';

/** Each command (its first row, if duplicated) with the events it produced. */
function eachCommand({
  commandsById,
  eventsByCommand,
}: Ledger): { commandId: string; command: CommandRow; events: EventRow[] }[] {
  return [...commandsById].flatMap(([commandId, [command]]) =>
    command ? [{ commandId, command, events: eventsByCommand.get(commandId) ?? [] }] : [],
  );
}

/** The account commands (the standing orders' own commands have their checks in ./standing-order-invariants.ts). */
const eachAccountCommand = (ledger: Ledger) =>
  eachCommand(ledger).filter(({ command }) => !isStandingOrderCommand(command));

/** Accepted commands with their stored result: what the outcome and event invariants compare. */
function acceptedCommands(ledger: Ledger) {
  return eachAccountCommand(ledger).flatMap(({ commandId, command, events }) =>
    command.status !== 'rejected' && command.outcome?.status === 'accepted'
      ? [{ commandId, command, events, result: command.outcome.result }]
      : [],
  );
}

/** [command-duplicate] a command id has at most one command row. */
export function commandRowsAreUnique({ commandsById }: Ledger): string[] {
  return [...commandsById].flatMap(([commandId, rows]) =>
    rows.length > 1 ? [violation('command-duplicate', `${commandId}: ${rows.length} command rows`)] : [],
  );
}

/** [command-key] a command row's key is the key of its id (a retry looks the command up by it). */
export function commandKeysMatchIds({ commands }: Ledger): string[] {
  return commands.flatMap((c) =>
    c.command_key !== null && c.command_key !== commandKeyOf(c.command_id)
      ? [
          violation(
            'command-key',
            `${c.command_id}: keyed ${c.command_key}, its id's key is ${commandKeyOf(c.command_id)}`,
          ),
        ]
      : [],
  );
}

/** [event-orphan] every event belongs to a command row. */
export function eventsHaveCommands({ commandsById, eventsByCommand }: Ledger): string[] {
  return [...eventsByCommand].flatMap(([commandId, events]) =>
    commandsById.has(commandId)
      ? []
      : [violation('event-orphan', `${events.length} event(s) of command ${commandId}, which has no command row`)],
  );
}

/** [command-streams] an account command's events are in ONE stream, the one it names; a transfer's in exactly its two streams. */
export function commandEventsInNamedStreams(ledger: Ledger): string[] {
  const found: string[] = [];
  for (const { commandId, command, events } of eachCommand(ledger)) {
    const transfer = command.type === 'TransferMoney';
    const streamIds = command.stream_ids ?? [];
    if (transfer ? streamIds.length < 1 || streamIds.length > 2 : streamIds.length !== 1)
      found.push(violation('command-streams', `${commandId} (${command.type}): names ${streamIds.length} streams`));
    const inStreams = groupBy(events, (e) => e.stream_id);
    if (!transfer && inStreams.size > 1)
      found.push(
        violation(
          'command-streams',
          `${commandId}: events in ${inStreams.size} streams (${[...inStreams.keys()].join(', ')})`,
        ),
      );
    for (const s of inStreams.keys())
      if (!streamIds.includes(s))
        found.push(violation('command-streams', `${commandId}: event in ${s}, which the command does not name`));
  }
  return found;
}

/** [command-versions] a command's events have consecutive versions (per stream). */
export function commandVersionsAreConsecutive(ledger: Ledger): string[] {
  const found: string[] = [];
  for (const { commandId, events } of eachCommand(ledger)) {
    for (const [s, inStream] of groupBy(events, (e) => e.stream_id)) {
      const versions = inStream.map((e) => e.version).sort((x, y) => x - y);
      if (versions.some((v, i) => i > 0 && v !== versions[i - 1]! + 1))
        found.push(
          violation('command-versions', `${commandId}: versions ${versions.join(',')} in ${s} are not consecutive`),
        );
    }
  }
  return found;
}

/**
 * [command-commit] a command's events and the account_transactions rows at their (account, version)
 * share ONE commit: the same xmin (transaction id) as each other and as the command row (unless that
 * row was updated since, e.g. by replay bookkeeping: then a later xmin, never an earlier one), the
 * same timestamp, the same command id in the event's metadata (where the row stores one). A history
 * row names no command; written by another transaction than the event at its version, it is
 * reported here even when its contents match that event.
 */
export function commandWritesShareOneCommit(ledger: Ledger): string[] {
  const found: string[] = [];
  for (const { commandId, command, events } of eachCommand(ledger)) {
    const written = [
      ...events.map((e) => ({ what: `event ${e.stream_id} v${e.version}`, xmin: e.xmin })),
      ...(ledger.transactionsByCommand.get(commandId) ?? []).map((t) => ({
        what: `account_transactions row ${t.account_id} v${t.version}`,
        xmin: t.xmin,
      })),
    ].filter((w) => w.xmin !== FROZEN_XID);
    const commitXid = written[0]?.xmin;
    for (const w of written)
      if (w.xmin !== commitXid)
        found.push(
          violation(
            'command-commit',
            `${commandId}: ${w.what} written by transaction ${w.xmin}, ${written[0]!.what} by ${commitXid}`,
          ),
        );
    if (commitXid !== undefined && command.xmin !== FROZEN_XID) {
      const updated = (command.replay_count ?? 0) > 0;
      if (updated ? Number(command.xmin) < Number(commitXid) : command.xmin !== commitXid) {
        found.push(
          violation(
            'command-commit',
            `${commandId}: its rows were written by transaction ${commitXid}, the command row by ${command.xmin}${updated ? ' (an older one)' : ''}`,
          ),
        );
      }
    }
    for (const e of events) {
      if (e.created_at.getTime() !== command.created_at.getTime())
        found.push(
          violation(
            'command-commit',
            `${commandId}: event v${e.version} at ${e.created_at.toISOString()}, command at ${command.created_at.toISOString()}`,
          ),
        );
      // The row stores a command id in its metadata only when it differs from the row's own
      // (storedMetadataOf): one that names another command, or a row of another command, is wrong.
      const named = e.metadata?.commandId ?? e.command_id;
      if (named !== commandId)
        found.push(
          violation(
            'command-commit',
            `${commandId}: event ${e.stream_id} v${e.version} has metadata.commandId ${named}`,
          ),
        );
    }
  }
  return found;
}

/**
 * [command-events] accepted deposit/withdrawal → exactly one event of its kind; open → opened
 * (+ deposit); transfer → one out (source) + one in (destination), same transfer id and amount;
 * rejected → none.
 */
export function commandEventsMatchOutcome(ledger: Ledger): string[] {
  const found: string[] = [];
  for (const { commandId, command, events } of eachCommand(ledger)) {
    if (command.status === 'rejected' && events.length > 0)
      found.push(
        violation(
          'command-events',
          `${commandId} (${command.type}, rejected): ${events.length} event(s) ${events.map((e) => e.type).join(',')}`,
        ),
      );
  }
  for (const { commandId, command, events, result } of acceptedCommands(ledger)) {
    if (command.type === 'TransferMoney') {
      const sides = transferSides(result, events);
      if (!sides.out || !sides.into) {
        found.push(
          violation(
            'command-events',
            `${commandId} (TransferMoney, accepted): events [${sides.types}], expected exactly [${sides.expected}]`,
          ),
        );
        continue;
      }
      const { out, into } = sides;
      const seen = [
        out.data.transferId,
        into.data.transferId,
        out.data.amountCents,
        into.data.amountCents,
        out.data.toAccountId,
        into.data.fromAccountId,
      ];
      const want = [
        result.transferId,
        result.transferId,
        result.amountCents,
        result.amountCents,
        result.toAccountId,
        result.fromAccountId,
      ];
      if (JSON.stringify(seen) !== JSON.stringify(want))
        found.push(
          violation(
            'command-events',
            `${commandId}: transfer sides ${JSON.stringify(seen)} ≠ ${JSON.stringify(want)} (transfer id, amounts, counterparties)`,
          ),
        );
      continue;
    }
    const types = events.map((e) => e.type).join(',');
    const expected = expectedEventTypes(command.type, result.amountCents);
    if (expected === null)
      found.push(violation('command-events', `${commandId}: unknown command type ${command.type}`));
    else if (types !== expected)
      found.push(
        violation(
          'command-events',
          `${commandId} (${command.type}, accepted): events [${types}], expected exactly [${expected}]`,
        ),
      );
  }
  return found;
}

/** [command-outcome] a command's status is accepted or rejected, as its outcome says, and the stored outcome matches the events it produced. */
export function commandOutcomesMatchEvents(ledger: Ledger): string[] {
  const found: string[] = [];
  for (const { commandId, command } of eachCommand(ledger)) {
    if (command.status !== 'accepted' && command.status !== 'rejected')
      found.push(violation('command-outcome', `${commandId}: status ${command.status}`));
    if (command.outcome?.status !== command.status)
      found.push(
        violation(
          'command-outcome',
          `${commandId}: status ${command.status} but outcome says ${command.outcome?.status}`,
        ),
      );
  }
  for (const { commandId, command, events, result } of acceptedCommands(ledger)) {
    if (command.type === 'TransferMoney') {
      const { out, into } = transferSides(result, events);
      if (!out || !into) continue; // [command-events] reports it
      const balances = [out.data.balanceAfterCents, into.data.balanceAfterCents];
      if (balances[0] !== result.fromBalanceCents || balances[1] !== result.toBalanceCents) {
        found.push(
          violation(
            'command-outcome',
            `${commandId}: stored balances ${result.fromBalanceCents}/${result.toBalanceCents} ≠ its events ${balances.join('/')}`,
          ),
        );
      }
      continue;
    }
    const last = events.at(-1);
    if (!last) continue;
    const balanceAfter = last.type === 'AccountOpened' ? 0 : last.data.balanceAfterCents;
    const moved = last.type === 'AccountOpened' ? 0 : last.data.amountCents;
    const fromEvents = {
      accountId: last.data.accountId,
      version: last.version,
      balanceCents: balanceAfter,
      amountCents: moved,
    };
    const fromOutcome = {
      accountId: result.accountId,
      version: result.version,
      balanceCents: result.balanceCents,
      amountCents: result.amountCents,
    };
    if (JSON.stringify(fromEvents) !== JSON.stringify(fromOutcome))
      found.push(
        violation(
          'command-outcome',
          `${commandId}: stored outcome ${JSON.stringify(fromOutcome)} ≠ its events ${JSON.stringify(fromEvents)}`,
        ),
      );
  }
  return found;
}

function expectedEventTypes(type: string, amountCents: number): string | null {
  if (type === 'OpenAccount') return amountCents > 0 ? 'AccountOpened,MoneyDeposited' : 'AccountOpened';
  if (type === 'DepositMoney') return 'MoneyDeposited';
  if (type === 'WithdrawMoney') return 'MoneyWithdrawn';
  return null;
}

/** A transfer's two events, when it produced exactly one out of the source and one in to the destination. */
function transferSides(result: TransferResult, events: EventRow[]) {
  const types = events
    .map((e) => `${e.type}@${e.stream_id}`)
    .sort()
    .join(',');
  const expected = [
    `MoneyTransferredIn@account-${result.toAccountId}`,
    `MoneyTransferredOut@account-${result.fromAccountId}`,
  ]
    .sort()
    .join(',');
  if (types !== expected) return { types, expected, out: undefined, into: undefined };
  return {
    types,
    expected,
    out: events.find((e) => e.type === 'MoneyTransferredOut')!,
    into: events.find((e) => e.type === 'MoneyTransferredIn')!,
  };
}
