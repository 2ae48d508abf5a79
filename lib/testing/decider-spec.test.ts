import { describe, expect, it } from 'vitest';
import { DeciderSpecification, specDecider } from './decider-spec';

// A toy decider: a counter that refuses to go below zero.
type Added = { type: 'Added'; by: number };
type Add = { by: number };
type Decision = { ok: true; events: Added[] } | { ok: false; rejection: 'BelowZero' };
const counter = DeciderSpecification.for({
  initialState: () => 0,
  evolve: (value: number, event: Added) => value + event.by,
  decide: ({ by }: Add, value: number): Decision => {
    if (!Number.isInteger(by)) throw new TypeError('by must be an integer');
    return value + by < 0 ? { ok: false, rejection: 'BelowZero' } : { ok: true, events: [{ type: 'Added', by }] };
  },
});

describe('DeciderSpecification', () => {
  it('folds the given events with evolve and passes the state to decide', () => {
    counter
      .given([{ type: 'Added', by: 5 }])
      .when({ by: -5 })
      .then({ ok: true, events: [{ type: 'Added', by: -5 }] });
    counter
      .given([{ type: 'Added', by: 5 }])
      .when({ by: -6 })
      .then({ ok: false, rejection: 'BelowZero' });
    counter.given([]).when({ by: 1 }).thenMatches({ ok: true });
    expect(counter.given([]).when({ by: 2 }).decision()).toEqual({ ok: true, events: [{ type: 'Added', by: 2 }] });
  });

  it('fails when the decision differs from the expected one', () => {
    const when = counter.given([{ type: 'Added', by: 5 }]).when({ by: 1 });
    expect(() => when.then({ ok: true, events: [{ type: 'Added', by: 2 }] })).toThrow();
    expect(() => when.then({ ok: true, events: [] })).toThrow();
    expect(() => when.then({ ok: false, rejection: 'BelowZero' })).toThrow();
    // Exactly: an extra field is a difference too.
    expect(() => when.then({ ok: true, events: [{ type: 'Added', by: 1, extra: true } as Added] })).toThrow();
    expect(() => when.thenMatches({ ok: false })).toThrow();
  });

  it('thenThrows passes only when decide throws, and the error is the expected one', () => {
    counter.given([]).when({ by: 0.5 }).thenThrows();
    counter
      .given([])
      .when({ by: 0.5 })
      .thenThrows((e) => e instanceof TypeError);
    expect(() => counter.given([]).when({ by: 1 }).thenThrows()).toThrow();
    expect(() =>
      counter
        .given([])
        .when({ by: 0.5 })
        .thenThrows((e) => e instanceof RangeError),
    ).toThrow();
    expect(() => counter.given([]).when({ by: 0.5 }).then({ ok: true, events: [] })).toThrow(TypeError);
  });

  it('specDecider: the given streams are the spec’s loaded streams, the last one per id wins', () => {
    const stream = (version: number) => ({ snapshot: null, events: [], version });
    const versions = DeciderSpecification.for(
      specDecider((ids: string[]) => ({ decide: (streams) => ids.map((id) => streams.get(id)?.version ?? null) })),
    );
    versions
      .given([
        ['a', stream(1)],
        ['b', stream(2)],
        ['a', stream(3)],
      ])
      .when(['a', 'b', 'c'])
      .then([3, 2, null]);
    expect(() =>
      versions
        .given([['a', stream(1)]])
        .when(['a'])
        .then([2]),
    ).toThrow();
  });
});
