import 'server-only';
import {
  accountStreamId,
  decide,
  evolve,
  initialState,
  type AccountCommand,
  type AccountEvent,
  type AccountRejection,
} from '@/lib/domain/account';
import type { Cents } from '@/lib/domain/money';
import { handleCommand, type CommandResult, type CommandSpec, type ConflictObserver, type RetryPolicy } from '@/lib/command-handler';
import { db as defaultDb, type Db } from '@/lib/db/prisma';
import { streamVersion, type EventMetadata, type RecordedEvent } from '@/lib/event-store';
import { fingerprint } from '@/lib/fingerprint';
import { projectAccount } from '@/lib/projections/account-projections';

export const EVENT_SCHEMA_VERSION = 1;

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

export function rehydrate(events: RecordedEvent[]) {
  return events.reduce((state, event) => evolve(state, event as unknown as AccountEvent), initialState());
}

export function eventMetadata(commandId: string, commandType: string): EventMetadata {
  return { commandId, commandType, causationId: commandId, correlationId: commandId, schemaVersion: EVENT_SCHEMA_VERSION };
}

export function accountCommandSpec(command: AccountCommand): CommandSpec<AccountResult, AccountRejection> {
  const { commandId, now } = command.metadata;
  const streamId = accountStreamId(command.data.accountId);
  const at = now.toISOString();
  const metadata = eventMetadata(commandId, command.type);
  return {
    commandId,
    type: command.type,
    fingerprint: fingerprint(command.type, requestOf(command)),
    streamIds: [streamId],
    at: now,
    decide(streams) {
      const history = streams.get(streamId) ?? [];
      const expectedVersion = streamVersion(history);
      const decision = decide(command, rehydrate(history));
      if (!decision.ok) return { status: 'rejected', rejection: decision.rejection };
      const stateAfter = decision.events.reduce(evolve, rehydrate(history));
      if (stateAfter.status !== 'open') throw new Error(`${command.type} accepted but the account is not open`);
      const version = expectedVersion + decision.events.length;
      const moved = command.type === 'OpenAccount' ? command.data.openingDepositCents : command.data.amountCents;
      return {
        status: 'accepted',
        result: { accountId: stateAfter.accountId, owner: stateAfter.owner, amountCents: moved, balanceCents: stateAfter.balanceCents, version },
        work: {
          appends: [{ streamId, expectedVersion, events: decision.events.map((e) => ({ type: e.type, data: e.data, metadata })) }],
          projections: projectAccount(stateAfter, decision.events, expectedVersion + 1, commandId, at),
        },
      };
    },
  };
}

export function handleAccountCommand(
  command: AccountCommand,
  options: { db?: Db; retry?: RetryPolicy; onConflict?: ConflictObserver } = {},
): Promise<AccountCommandResult> {
  return handleCommand(options.db ?? defaultDb(), accountCommandSpec(command), options.retry, options.onConflict);
}
