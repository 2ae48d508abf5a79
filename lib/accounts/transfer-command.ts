import 'server-only';
import { rememberCommit } from '@/lib/db/read-replica';
import { accountStreamId, evolve, type AccountEvent, type AccountRejection } from '@/lib/accounts/domain/account';
import { decideTransfer, type TransferMoney } from '@/lib/accounts/domain/transfer';
import { db as defaultDb } from '@/lib/db/prisma';
import {
  fingerprint,
  handleCommand,
  type CommandResult,
  type CommandSpec,
  snapshotEvery,
  emptyStream,
  type LoadedStream,
} from '@/lib/event-store';
import { notifyLargeTransfer } from '@/lib/mail/large-transfer';
import type { HandleOptions } from './account-commands';
import { ACCOUNT_PROJECTIONS, mergeWrites, projectAccount, toProjectionWrites } from './inline-projections';
import { transferOutcomeCodec } from './outcome-codecs';
import type { TransferResult } from './results';
import { ACCOUNT_SNAPSHOT_SCHEMA, accountSnapshotIfDue, rehydrateLoaded, toNewEvents } from './stream';

export type { TransferResult };

export type TransferCommandResult = CommandResult<TransferResult, AccountRejection>;

/** The client's request; the server-made transfer id and the time are not part of it. */
const transferRequestOf = ({ data, metadata }: TransferMoney) => ({
  customerId: metadata.customerId,
  from: data.fromAccountId,
  to: data.toAccountId,
  amountCents: data.amountCents,
  // Absent when none was given (canonicalJson drops undefined), so the fingerprints of transfers
  // recorded before references existed are unchanged and their keys still replay.
  reference: data.reference || undefined,
});

/**
 * A transfer is one command over two streams: both are loaded, both get their events at their own
 * expected version, together with the command record and both accounts' projections, in one
 * commit. A conflict on either stream reloads both and decides again.
 */
export function transferCommandSpec(
  command: TransferMoney,
  every = snapshotEvery(),
): CommandSpec<TransferResult, AccountRejection> {
  const { commandId, now } = command.metadata;
  const from = accountStreamId(command.data.fromAccountId);
  const to = accountStreamId(command.data.toAccountId);
  const at = now.toISOString();
  const empty = emptyStream();
  return {
    commandId,
    type: command.type,
    fingerprint: fingerprint(command.type, transferRequestOf(command)),
    streamIds: from === to ? [from] : [from, to],
    at: now,
    snapshotSchemaVersion: every > 0 ? ACCOUNT_SNAPSHOT_SCHEMA : null,
    projections: ACCOUNT_PROJECTIONS,
    outcomeCodec: transferOutcomeCodec,
    decide(streams) {
      const fromStream = streams.get(from) ?? empty;
      const toStream = streams.get(to) ?? empty;
      const fromState = rehydrateLoaded(fromStream);
      const toState = rehydrateLoaded(toStream);
      const decision = decideTransfer(command, fromState, toState);
      if (!decision.ok) return { status: 'rejected', rejection: decision.rejection };
      const fromAfter = decision.from.reduce(evolve, fromState);
      const toAfter = decision.to.reduce(evolve, toState);
      if (fromAfter.status !== 'open' || toAfter.status !== 'open')
        throw new Error('transfer accepted between accounts that are not open');
      const side = (streamId: string, stream: LoadedStream, events: AccountEvent[]) => ({
        streamId,
        expectedVersion: stream.version,
        events: toNewEvents(events, streamId, at, commandId, command.type),
      });
      return {
        status: 'accepted',
        result: {
          transferId: command.data.transferId,
          fromAccountId: fromAfter.accountId,
          toAccountId: toAfter.accountId,
          toAccountNumber: toAfter.accountNumber,
          amountCents: command.data.amountCents,
          fromBalanceCents: fromAfter.balanceCents,
          toBalanceCents: toAfter.balanceCents,
          ...(command.data.reference ? { reference: command.data.reference } : {}),
        },
        work: {
          appends: [side(from, fromStream, decision.from), side(to, toStream, decision.to)],
          projections: toProjectionWrites(
            mergeWrites(
              projectAccount(fromAfter, decision.from, fromStream.version + 1, at),
              projectAccount(toAfter, decision.to, toStream.version + 1, at),
            ),
          ),
          snapshots: [
            ...accountSnapshotIfDue(
              from,
              fromStream.version,
              fromStream.version + decision.from.length,
              fromAfter,
              every,
            ),
            ...accountSnapshotIfDue(to, toStream.version, toStream.version + decision.to.length, toAfter, every),
          ],
        },
      };
    },
  };
}

export async function handleTransfer(
  command: TransferMoney,
  options: HandleOptions = {},
): Promise<TransferCommandResult> {
  const outcome = await handleCommand(
    options.db ?? defaultDb(),
    transferCommandSpec(command, options.snapshotEvery),
    options.retry,
    options.onConflict,
  );
  // After the command, outside the engine: a large transfer is mailed to the sender, unawaited, so
  // a slow or failing mail server never delays or fails the transfer (a replay mails nothing).
  if (outcome.status === 'accepted' && !outcome.replayed) void notifyLargeTransfer(outcome.result);
  // The caller's next history and statement reads may use a replica once it has replayed this commit.
  if (!('replayed' in outcome) || !outcome.replayed) await rememberCommit();
  return outcome;
}
