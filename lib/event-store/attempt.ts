import 'server-only';
import type { Db } from '@/lib/db/prisma';
import { observeStep } from '@/lib/observability/command-observer';
import type { AnyCommandSpec } from './command';
import { decideInSequence, type Decisions } from './decisions';
import { loadForCommands } from './load';
import { inTransaction, sqlOf, type SqlClient } from './sql';
import { lockStreams } from './stream-lock';
import type { CommandRecord, LoadedStream } from './types';
import { commit } from './unit-of-work';

// The one load → decide → commit step, for a single command (./handler.ts) and for a batch of the
// stream queue (./command-queue.ts) alike. Its steps are what the observer sees as spans
// (idem.load, idem.decide per command, idem.commit); the command around them is observed once, by
// the handler. A failed commit throws: PostgreSQL's verdict, for the caller to read.

export type AttemptOptions = {
  /** In one transaction under the streams' advisory locks (queued), or on the pool (optimistic). */
  locked: boolean;
  /** Streams as this process's last commit left them (not loaded again): only when not locked. */
  known?: ReadonlyMap<string, LoadedStream>;
};

/**
 * Commands that share their snapshot schema and projections, over `streamIds`: one command on any
 * number of streams, or a batch of commands on one stream each. Loads the streams that are not
 * known together with the commands' records (a duplicate replays), decides the commands in order,
 * and commits all their work in ONE statement: two round trips when nothing is locked.
 */
export async function attempt(
  db: Db,
  specs: AnyCommandSpec[],
  streamIds: string[],
  options: AttemptOptions,
): Promise<Decisions> {
  const { snapshotSchemaVersion, projections } = specs[0]!;
  // A batch of one is its command's steps; a larger batch's load and commit name its commands.
  const one = specs.length === 1 ? specs[0]! : null;
  const attributes: Record<string, string | number> = one
    ? attributesOf(one)
    : { 'idem.batch_size': specs.length, 'idem.command_ids': specs.map((s) => s.commandId).join(',') };
  const run = async (sql: SqlClient): Promise<Decisions> => {
    if (options.locked) await lockStreams(sql, streamIds);
    const loaded = new Map<string, LoadedStream>();
    for (const id of streamIds) {
      const known = options.locked ? undefined : options.known?.get(id);
      if (known) loaded.set(id, known);
    }
    let recorded = new Map<string, CommandRecord>();
    const missing = streamIds.filter((id) => !loaded.has(id));
    if (missing.length > 0) {
      const commandIds = [...new Set(specs.map((s) => s.commandId))];
      const fresh = await observeStep('load', attributes, () =>
        loadForCommands(sql, commandIds, missing, snapshotSchemaVersion),
      );
      recorded = fresh.commands;
      for (const [id, stream] of fresh.streams) loaded.set(id, stream);
    }
    const decided = await decideInSequence(specs, recorded, loaded, (spec, streams) =>
      observeStep('decide', attributesOf(spec), async () => spec.decide(streams)),
    );
    const outcome: Record<string, string> =
      one && decided.work[0] ? { 'idem.outcome': decided.work[0].command.status } : {};
    if (decided.work.length > 0)
      await observeStep('commit', { ...attributes, ...outcome }, () =>
        commit(sql, { projections, commands: decided.work }),
      );
    return decided;
  };
  return options.locked ? inTransaction(db, run) : run(sqlOf(db));
}

export const attributesOf = (spec: AnyCommandSpec): Record<string, string> => ({
  'idem.command_id': spec.commandId,
  'idem.command_type': spec.type,
});
