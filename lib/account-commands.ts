import 'server-only';
import {
  accountStreamId,
  decide,
  evolve,
  initialState,
  type Account,
  type AccountCommand,
  type AccountEvent,
  type AccountRejection,
} from '@/lib/domain/account';
import type { Cents } from '@/lib/domain/money';
import { handleCommand, type CommandResult, type CommandSpec, type ConflictObserver, type RetryPolicy } from '@/lib/command-handler';
import { db as defaultDb, type Db } from '@/lib/db/prisma';
import type { EventMetadata, LoadedStream, RecordedEvent } from '@/lib/event-store';
import { EVENT_SCHEMA_VERSIONS, upcast } from '@/lib/domain/upcast';
import type { SnapshotWrite } from '@/lib/unit-of-work';
import { fingerprint } from '@/lib/fingerprint';
import { projectAccount } from '@/lib/projections/account-projections';

/** Bump when the shape of `Account` changes: older snapshots are then ignored and rewritten. */
export const ACCOUNT_SNAPSHOT_SCHEMA = 1;

/**
 * Snapshot every N events (IDEM_SNAPSHOT_EVERY; 0 turns snapshots off). The default of 10 was
 * measured (bench/RESULTS.md): loading up to 99 events per command cost more than writing a small
 * snapshot row every tenth command.
 */
export const DEFAULT_SNAPSHOT_EVERY = 10;

export function snapshotEvery(): number {
  const value = Number(process.env.IDEM_SNAPSHOT_EVERY ?? DEFAULT_SNAPSHOT_EVERY);
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_SNAPSHOT_EVERY;
}

export type AccountResult = {
  accountId: string;
  owner: string;
  /** The amount this command moved (the opening deposit for OpenAccount). */
  amountCents: Cents;
  balanceCents: Cents;
  version: number;
};

export type AccountCommandResult = CommandResult<AccountResult, AccountRejection>;

/**
 * What the client asked for, normalized. Ids the server generates (the new account's id) and the
 * time are left out, so a retry of the same request has the same fingerprint.
 */
export function requestOf(command: AccountCommand): unknown {
  switch (command.type) {
    case 'OpenAccount':
      return { owner: command.data.owner.trim(), openingDepositCents: command.data.openingDepositCents };
    case 'DepositMoney':
    case 'WithdrawMoney':
      return { accountId: command.data.accountId.toLowerCase(), amountCents: command.data.amountCents };
  }
}

/** A stored event in today's shape (old schema versions are upcast). */
export const accountEventOf = (event: RecordedEvent): AccountEvent => upcast({ type: event.type, data: event.data, schemaVersion: event.metadata?.schemaVersion });

/** The account after a whole stream (from version 1). */
export function rehydrate(events: RecordedEvent[]): Account {
  return events.map(accountEventOf).reduce(evolve, initialState());
}

/** The account after a loaded stream: its snapshot (if any), then the events after it. */
export function rehydrateLoaded(stream: LoadedStream): Account {
  return stream.events.map(accountEventOf).reduce(evolve, (stream.snapshot?.state as Account | undefined) ?? initialState());
}

export function eventMetadata(commandId: string, commandType: string, eventType: AccountEvent['type']): EventMetadata {
  return { commandId, commandType, causationId: commandId, correlationId: commandId, schemaVersion: EVENT_SCHEMA_VERSIONS[eventType] };
}

/** The events of one stream for the unit of work, with per-type metadata. */
export function toNewEvents(events: AccountEvent[], commandId: string, commandType: string) {
  return events.map((e) => ({ type: e.type, data: e.data, metadata: eventMetadata(commandId, commandType, e.type) }));
}

/** A snapshot write when this commit crosses a multiple of `every` events. */
export function snapshotIfDue(streamId: string, fromVersion: number, toVersion: number, state: Account, every: number): SnapshotWrite[] {
  if (every <= 0 || Math.floor(toVersion / every) === Math.floor(fromVersion / every)) return [];
  return [{ streamId, version: toVersion, schemaVersion: ACCOUNT_SNAPSHOT_SCHEMA, state }];
}

export function accountCommandSpec(command: AccountCommand, every = snapshotEvery()): CommandSpec<AccountResult, AccountRejection> {
  const { commandId, now } = command.metadata;
  const streamId = accountStreamId(command.data.accountId);
  const at = now.toISOString();
  return {
    commandId,
    type: command.type,
    fingerprint: fingerprint(command.type, requestOf(command)),
    streamIds: [streamId],
    at: now,
    snapshotSchemaVersion: every > 0 ? ACCOUNT_SNAPSHOT_SCHEMA : null,
    decide(streams) {
      const stream = streams.get(streamId) ?? { snapshot: null, events: [], version: 0 };
      const expectedVersion = stream.version;
      const state = rehydrateLoaded(stream);
      const decision = decide(command, state);
      if (!decision.ok) return { status: 'rejected', rejection: decision.rejection };
      const stateAfter = decision.events.reduce(evolve, state);
      if (stateAfter.status !== 'open') throw new Error(`${command.type} accepted but the account is not open`);
      const version = expectedVersion + decision.events.length;
      const moved = command.type === 'OpenAccount' ? command.data.openingDepositCents : command.data.amountCents;
      return {
        status: 'accepted',
        result: { accountId: stateAfter.accountId, owner: stateAfter.owner, amountCents: moved, balanceCents: stateAfter.balanceCents, version },
        work: {
          appends: [{ streamId, expectedVersion, events: toNewEvents(decision.events, commandId, command.type) }],
          projections: projectAccount(stateAfter, decision.events, expectedVersion + 1, commandId, at),
          snapshots: snapshotIfDue(streamId, expectedVersion, version, stateAfter, every),
        },
      };
    },
  };
}

export function handleAccountCommand(
  command: AccountCommand,
  options: { db?: Db; retry?: RetryPolicy; onConflict?: ConflictObserver; snapshotEvery?: number } = {},
): Promise<AccountCommandResult> {
  return handleCommand(options.db ?? defaultDb(), accountCommandSpec(command, options.snapshotEvery), options.retry, options.onConflict);
}
