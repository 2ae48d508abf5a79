// NOT production code: lib/command-handler.ts's handleCommand with the changes RESULTS.md still
// proposes, so they can be measured side by side with the real one (contender "idem-proposed"). It
// reuses the real command spec, load (lib/event-store.ts), unit of work and conflict
// classification, and the same single lock statement; only the retry orchestration differs:
//  1. after a stream conflict, no separate findCommand: the next attempt's load returns the command
//     row anyway (a duplicate is still replayed);
//  2. a stream that conflicted recently (in this process) starts in the queue, so fresh optimistic
//     attempts no longer overtake queued writers and make them fail at commit. A hint only: the
//     unique constraints still decide, so a stale or missing hint costs a retry, never correctness.
// A contended command then costs BEGIN, lock, load, commit, COMMIT = 5 round trips.
import { accountCommandSpec, type AccountResult } from '../lib/account-commands';
import type { CommandResult, CommandSpec, RetryPolicy, StoredOutcome } from '../lib/command-handler';
import { defaultRetryPolicy } from '../lib/command-handler';
import type { Db, Sql } from '../lib/db/prisma';
import { STREAM_VERSION_CONSTRAINTS, writeConflictOf } from '../lib/db/unique-violation';
import type { AccountCommand, AccountRejection } from '../lib/domain/account';
import { loadForCommand, type CommandRecord } from '../lib/event-store';
import { commit } from '../lib/unit-of-work';

const STREAM_LOCK_CLASS = 0x1de4; // same key space as lib/command-handler.ts
const HOT_FOR_MS = 2_000;
const hotUntil = new Map<string, number>();

function replay<R, J>(spec: CommandSpec<R, J>, recorded: CommandRecord): CommandResult<R, J> {
  if (recorded.fingerprint !== spec.fingerprint || recorded.type !== spec.type) return { status: 'key-reused', commandId: spec.commandId, originalType: recorded.type };
  return { ...(recorded.outcome as StoredOutcome<R, J>), commandId: spec.commandId, replayed: true };
}

async function attempt<R, J>(sql: Sql, spec: CommandSpec<R, J>, queued: boolean): Promise<CommandResult<R, J>> {
  if (queued) {
    // The same statement as lib/command-handler.ts: the timeout, then the stream locks in order.
    const sorted = [...spec.streamIds].sort();
    await sql.$queryRaw`SELECT set_config('lock_timeout', '5s', true) AS timeout,
      (SELECT count(pg_advisory_xact_lock(${STREAM_LOCK_CLASS}::int, hashtext(s)))::int FROM unnest(${sorted}::text[]) AS s) AS locked`;
  }
  const loaded = await loadForCommand(sql, spec.commandId, spec.streamIds, spec.snapshotSchemaVersion);
  if (loaded.command) return replay(spec, loaded.command);
  const decided = spec.decide(loaded.streams);
  const outcome: StoredOutcome<R, J> = decided.status === 'accepted' ? { status: 'accepted', result: decided.result } : { status: 'rejected', rejection: decided.rejection };
  await commit(sql, {
    command: { commandId: spec.commandId, type: spec.type, streamIds: spec.streamIds, fingerprint: spec.fingerprint, status: outcome.status, outcome, at: spec.at },
    appends: decided.status === 'accepted' ? decided.work.appends : [],
    projections: decided.status === 'accepted' ? decided.work.projections : { balances: [], transactions: [] },
    snapshots: decided.status === 'accepted' ? decided.work.snapshots : [],
  });
  return { ...outcome, commandId: spec.commandId, replayed: false };
}

export async function proposedHandleCommand<R, J>(db: Db, spec: CommandSpec<R, J>, policy: RetryPolicy = defaultRetryPolicy, onConflict?: () => void): Promise<CommandResult<R, J>> {
  const isHot = () => spec.streamIds.some((id) => (hotUntil.get(id) ?? 0) > Date.now());
  for (let n = 1; n <= policy.maxAttempts; n++) {
    try {
      const queued = n > 1 || isHot();
      return queued ? await db.$transaction((tx) => attempt(tx, spec, true), { maxWait: 10_000, timeout: 20_000 }) : await attempt(db, spec, false);
    } catch (error) {
      const conflict = writeConflictOf(error);
      if (!conflict) throw error;
      if (conflict.kind === 'unique' && !STREAM_VERSION_CONSTRAINTS.has(conflict.constraint ?? '') && conflict.constraint !== 'commands_pkey') throw error;
      for (const id of spec.streamIds) hotUntil.set(id, Date.now() + HOT_FOR_MS);
      onConflict?.();
      // No findCommand here: the next attempt's load reads the command row and replays it.
      if (n < policy.maxAttempts) await new Promise((r) => setTimeout(r, Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n)));
    }
  }
  return { status: 'busy', commandId: spec.commandId, attempts: policy.maxAttempts };
}

export function proposedHandleAccountCommand(command: AccountCommand, options: { db: Db; snapshotEvery?: number; onConflict?: () => void }): Promise<CommandResult<AccountResult, AccountRejection>> {
  return proposedHandleCommand(options.db, accountCommandSpec(command, options.snapshotEvery), defaultRetryPolicy, options.onConflict);
}
