// One way to describe a decider test, after Emmett's DeciderSpecification: given past events, when
// a command, then the decision. Here rejections are values of the decision, not exceptions, so
// `then` takes the whole decision; `thenThrows` is for a decide that throws (a bug, not an outcome).
import { expect } from 'vitest';
import type { LoadedStream } from '@/lib/event-store';

/** A decider as three plain functions; `decide` answers with whatever the decider's decision is. */
export type Decider<Command, Event, State, Decision> = {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Decision;
};

export type DeciderThen<Decision> = {
  /** The decision, whole and exactly (toStrictEqual). */
  then: (expected: Decision) => void;
  /** The decision has at least these fields (toMatchObject): for the part a test is about. */
  thenMatches: (expected: Partial<Decision> | Record<string, unknown>) => void;
  /** decide throws (optionally: an error that `check` accepts). */
  thenThrows: (check?: (error: unknown) => boolean) => void;
  /** The decision itself, for an assertion of another shape. */
  decision: () => Decision;
};

export const DeciderSpecification = {
  for<Command, Event, State, Decision>(decider: Decider<Command, Event, State, Decision>) {
    return {
      given: (events: readonly Event[]) => ({
        when: (command: Command): DeciderThen<Decision> => {
          const decision = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then: (expected) => expect(decision()).toStrictEqual(expected),
            thenMatches: (expected) => expect(decision()).toMatchObject(expected),
            thenThrows: (check) => {
              let thrown: { error: unknown } | undefined;
              try {
                decision();
              } catch (error) {
                thrown = { error };
              }
              expect(thrown, 'decide was expected to throw').toBeDefined();
              if (check)
                expect(check(thrown!.error), `decide threw an unexpected error: ${String(thrown!.error)}`).toBe(true);
            },
            decision,
          };
        },
      }),
    };
  },
};

/**
 * A command spec's decide (lib/event-store's CommandSpec) as a decider: the past is the streams the
 * engine loaded, as [stream id, stream] pairs; the decision is the spec's `decide` on them, compared
 * as the data the engine receives (so expectations may be plain objects).
 */
export function specDecider<Command>(
  specOf: (command: Command) => { decide: (streams: Map<string, LoadedStream>) => unknown },
): Decider<Command, [string, LoadedStream], Map<string, LoadedStream>, unknown> {
  return {
    initialState: () => new Map(),
    evolve: (streams, [streamId, stream]) => new Map(streams).set(streamId, stream),
    decide: (command, streams) => specOf(command).decide(streams),
  };
}
