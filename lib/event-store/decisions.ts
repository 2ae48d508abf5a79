// Pure decisions around a command spec: its outcome, its share of a unit of work, a replay, and
// commands decided in sequence (one command, or a batch on one stream each). No I/O (unit-tested
// without a database).
import type { AnyCommandSpec, CommandResult, CommandSpec, Decided } from './command';
import type { CommandRecord, LoadedStream, RecordedEvent, StoredOutcome } from './types';
import type { CommandWork } from './unit-of-work';

function outcomeOf<Result, Rejection>(decided: Decided<Result, Rejection>): StoredOutcome<Result, Rejection> {
  return decided.status === 'accepted'
    ? { status: 'accepted', result: decided.result }
    : { status: 'rejected', rejection: decided.rejection };
}

/** The command's share of the unit of work: its record and, when accepted, its writes. */
function workOf<Result, Rejection>(
  spec: CommandSpec<Result, Rejection>,
  decided: Decided<Result, Rejection>,
): CommandWork {
  const outcome = outcomeOf(decided);
  const command: CommandRecord = {
    commandId: spec.commandId,
    type: spec.type,
    streamIds: spec.streamIds,
    fingerprint: spec.fingerprint,
    status: outcome.status,
    outcome: spec.outcomeCodec ? spec.outcomeCodec.encode(outcome) : outcome,
    createdAt: spec.at,
  };
  if (decided.status !== 'accepted') return { command, appends: [], writes: [], snapshots: [] };
  return {
    command,
    appends: decided.work.appends,
    writes: decided.work.projections,
    snapshots: decided.work.snapshots,
  };
}

export function replay<Result, Rejection>(
  spec: CommandSpec<Result, Rejection>,
  recorded: CommandRecord,
  streams: ReadonlyMap<string, LoadedStream>,
): CommandResult<Result, Rejection> {
  if (recorded.fingerprint !== spec.fingerprint || recorded.type !== spec.type) {
    return { status: 'key-reused', commandId: spec.commandId, originalType: recorded.type };
  }
  const outcome = spec.outcomeCodec
    ? spec.outcomeCodec.decode(recorded.outcome, recorded, streams)
    : (recorded.outcome as StoredOutcome<Result, Rejection>);
  return { ...outcome, commandId: spec.commandId, replayed: true };
}

/** Each command's answer (or what its decide threw), the work to commit, and the streams as that work leaves them. */
export type Decisions = {
  results: (CommandResult<unknown, unknown> | { error: unknown })[];
  work: CommandWork[];
  streams: Map<string, LoadedStream>;
};

/**
 * Commands in order, each decided on its streams as the commands before it left them: one command
 * (on any number of streams), or a batch of commands on one stream each. A command id that is
 * already recorded is replayed; one that appears twice is decided once, and its later copies replay
 * what this attempt commits (if the commit fails, all of them are retried). `loaded` holds every
 * stream of every command.
 */
export async function decideInSequence(
  specs: AnyCommandSpec[],
  recorded: ReadonlyMap<string, CommandRecord>,
  loaded: ReadonlyMap<string, LoadedStream>,
  decide: Decide = (spec, streams) => spec.decide(streams),
): Promise<Decisions> {
  const streams = new Map(loaded);
  const work: CommandWork[] = [];
  const decidedHere = new Map<string, CommandRecord>();
  const results: Decisions['results'] = [];
  for (const spec of specs) {
    const prior = recorded.get(spec.commandId) ?? decidedHere.get(spec.commandId);
    if (prior) {
      results.push(replay(spec, prior, streams));
      continue;
    }
    try {
      const decided = await decide(spec, new Map(spec.streamIds.map((id) => [id, streams.get(id)!])));
      const own = workOf(spec, decided);
      work.push(own);
      decidedHere.set(spec.commandId, own.command);
      for (const id of new Set(spec.streamIds)) streams.set(id, advance(streams.get(id)!, id, own));
      results.push({ ...outcomeOf(decided), commandId: spec.commandId, replayed: false });
    } catch (error) {
      results.push({ error });
    }
  }
  return { results, work, streams };
}

/** How a command is decided (the engine wraps it in the observer's step). */
export type Decide = (
  spec: AnyCommandSpec,
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
