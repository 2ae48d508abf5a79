import 'server-only';
import { rememberCommit } from '@/lib/db/read-replica';
import {
  accountStreamId,
  decide,
  evolve,
  type AccountCommand,
  type AccountRejection,
} from '@/lib/accounts/domain/account';
import { db as defaultDb, type Db } from '@/lib/db/prisma';
import {
  fingerprint,
  handleCommand,
  type CommandResult,
  type CommandSpec,
  type ConflictObserver,
  type RetryPolicy,
  snapshotEvery,
  emptyStream,
} from '@/lib/event-store';
import { ACCOUNT_PROJECTIONS, projectAccount, toProjectionWrites } from './inline-projections';
import { accountOutcomeCodec, openAccountOutcomeCodec } from './outcome-codecs';
import type { AccountResult } from './results';
import { ACCOUNT_SNAPSHOT_SCHEMA, accountSnapshotIfDue, rehydrateLoaded, toNewEvents } from './stream';

// Open, deposit, withdraw: one account stream per command.

export type { AccountResult };

export type AccountCommandResult = CommandResult<AccountResult, AccountRejection>;

export type HandleOptions = { db?: Db; retry?: RetryPolicy; onConflict?: ConflictObserver; snapshotEvery?: number };

/**
 * What the client asked for, normalized. Ids the server generates (the new account's id) and the
 * time are left out, so a retry of the same request has the same fingerprint.
 */
function requestOf(command: AccountCommand): unknown {
  const { customerId } = command.metadata;
  switch (command.type) {
    case 'OpenAccount':
      return { customerId, owner: command.data.owner.trim(), openingDepositCents: command.data.openingDepositCents };
    case 'DepositMoney':
    case 'WithdrawMoney':
      return { customerId, accountId: command.data.accountId, amountCents: command.data.amountCents };
  }
}

export function accountCommandSpec(
  command: AccountCommand,
  every = snapshotEvery(),
): CommandSpec<AccountResult, AccountRejection> {
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
    projections: ACCOUNT_PROJECTIONS,
    outcomeCodec: command.type === 'OpenAccount' ? openAccountOutcomeCodec : accountOutcomeCodec,
    decide(streams) {
      const stream = streams.get(streamId) ?? emptyStream();
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
        result: {
          accountId: stateAfter.accountId,
          accountNumber: stateAfter.accountNumber,
          owner: stateAfter.owner,
          amountCents: moved,
          balanceCents: stateAfter.balanceCents,
          version,
        },
        work: {
          appends: [
            { streamId, expectedVersion, events: toNewEvents(decision.events, streamId, at, commandId, command.type) },
          ],
          projections: toProjectionWrites(projectAccount(stateAfter, decision.events, expectedVersion + 1, at)),
          snapshots: accountSnapshotIfDue(streamId, expectedVersion, version, stateAfter, every),
        },
      };
    },
  };
}

export function handleAccountCommand(
  command: AccountCommand,
  options: HandleOptions = {},
): Promise<AccountCommandResult> {
  return handleCommand(
    options.db ?? defaultDb(),
    accountCommandSpec(command, options.snapshotEvery),
    options.retry,
    options.onConflict,
  ).then(async (outcome) => {
    // The caller's next history and statement reads may use a replica once it has replayed this commit.
    if (!('replayed' in outcome) || !outcome.replayed) await rememberCommit();
    return outcome;
  });
}
