// Pure decisions around a command spec: its outcome, its share of a unit of work, a replay, and a
// batch of commands on one stream decided in sequence. No I/O (unit-tested without a database).
import type { CommandResult, CommandSpec, Decided } from './handler';
import type { CommandRecord, LoadedStream, RecordedEvent, StoredOutcome } from './types';
import type { CommandWork } from './unit-of-work';

export function outcomeOf<Result, Rejection>(decided: Decided<Result, Rejection>): StoredOutcome<Result, Rejection> {
  return decided.status === 'accepted' ? { status: 'accepted', result: decided.result } : { status: 'rejected', rejection: decided.rejection };
}

/** The command's share of the unit of work: its record and, when accepted, its writes. */
export function workOf<Result, Rejection>(spec: CommandSpec<Result, Rejection>, decided: Decided<Result, Rejection>): CommandWork {
  const outcome = outcomeOf(decided);
  const command: CommandRecord = {
    commandId: spec.commandId,
    type: spec.type,
    streamIds: spec.streamIds,
    fingerprint: spec.fingerprint,
    status: outcome.status,
    outcome,
    createdAt: spec.at,
  };
  if (decided.status !== 'accepted') return { command, appends: [], writes: [], snapshots: [] };
  return { command, appends: decided.work.appends, writes: decided.work.projections, snapshots: decided.work.snapshots };
}

export function replay<Result, Rejection>(spec: CommandSpec<Result, Rejection>, recorded: CommandRecord): CommandResult<Result, Rejection> {
  if (recorded.fingerprint !== spec.fingerprint || recorded.type !== spec.type) {
    return { status: 'key-reused', commandId: spec.commandId, originalType: recorded.type };
  }
  const outcome = recorded.outcome as StoredOutcome<Result, Rejection>;
  return { ...outcome, commandId: spec.commandId, replayed: true };
}

/**
 * A batch of single-stream commands, in order: each is decided on its stream as the commands before
 * it in the batch left that stream. A command id that is already recorded is replayed; one that
 * appears twice is decided once, and its later copies replay what this batch commits (if the commit
 * fails, all of them are retried). `streams` holds the loaded stream of every command.
 */
export async function decideInSequence(
  specs: CommandSpec<unknown, unknown>[],
  recorded: Map<string, CommandRecord>,
  loaded: Map<string, LoadedStream>,
  decide: Decide = (spec, streams) => spec.decide(streams),
) {
  const streams = new Map(loaded);
  const work: CommandWork[] = [];
  const decidedHere = new Map<string, CommandRecord>();
  const results: (CommandResult<unknown, unknown> | { error: unknown })[] = [];
  for (const spec of specs) {
    const prior = recorded.get(spec.commandId) ?? decidedHere.get(spec.commandId);
    if (prior) {
      results.push(replay(spec, prior));
      continue;
    }
    const streamId = spec.streamIds[0]!;
    try {
      const decided = await decide(spec, new Map([[streamId, streams.get(streamId)!]]));
      const own = workOf(spec, decided);
      work.push(own);
      decidedHere.set(spec.commandId, own.command);
      streams.set(streamId, advance(streams.get(streamId)!, streamId, own));
      results.push({ ...outcomeOf(decided), commandId: spec.commandId, replayed: false });
    } catch (error) {
      results.push({ error });
    }
  }
  return { results, work, streams };
}

/** How a command is decided (the stream queue wraps it in the observer's step). */
export type Decide = (
  spec: CommandSpec<unknown, unknown>,
  streams: Map<string, LoadedStream>,
) => Decided<unknown, unknown> | Promise<Decided<unknown, unknown>>;

/** The stream after a command's events: from its own snapshot when it wrote one, so folding stays short. */
function advance(stream: LoadedStream, streamId: string, own: CommandWork): LoadedStream {
  const appends = own.appends.filter((a) => a.streamId === streamId);
  if (appends.length === 0) return stream;
  const events: RecordedEvent[] = appends.flatMap((a) =>
    a.events.map((e, i) => ({
      // Not known before the commit; no decision reads it.
      globalPosition: -1n,
      streamId,
      version: a.expectedVersion + i + 1,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      commandId: own.command.commandId,
      createdAt: own.command.createdAt,
    })),
  );
  const version = events.at(-1)!.version;
  const snapshot = own.snapshots.find((s) => s.streamId === streamId && s.version === version);
  if (snapshot) return { snapshot: { version, state: snapshot.state }, events: [], version };
  return { snapshot: stream.snapshot, events: [...stream.events, ...events], version };
}
