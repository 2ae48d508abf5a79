import { describe, expect, it } from 'vitest';
import { decideInSequence } from './decisions';
import type { CommandSpec } from './command';
import { defineInlineProjection } from './inline-projection';
import { emptyStream, type CommandRecord, type LoadedStream } from './types';

// A toy stream for the engine alone: a counter that refuses to go below zero, snapshotted every 3.
const STREAM = 'counter-1';
const counters = defineInlineProjection({
  table: 'counters',
  columns: { id: 'text', value: 'int', version: 'int' },
  key: ['id'],
  onConflict: { update: 'value = EXCLUDED.value' },
});
type State = { value: number };

const stateOf = (stream: LoadedStream): State =>
  stream.events.reduce(
    (s, e) => ({ value: s.value + (e.data as { by: number }).by }),
    (stream.snapshot?.state as State | undefined) ?? { value: 0 },
  );

function add(
  commandId: string,
  by: number,
  fingerprint = `add ${by}`,
  streamId = STREAM,
): CommandSpec<{ value: number; version: number }, { code: 'BelowZero' }> {
  return {
    commandId,
    type: 'Add',
    fingerprint,
    streamIds: [streamId],
    at: new Date('2026-12-01T00:00:00Z'),
    snapshotSchemaVersion: 1,
    projections: [counters],
    decide(streams) {
      const stream = streams.get(streamId)!;
      const value = stateOf(stream).value + by;
      if (value < 0) return { status: 'rejected', rejection: { code: 'BelowZero' } };
      const version = stream.version + 1;
      return {
        status: 'accepted',
        result: { value, version },
        work: {
          appends: [
            {
              streamId,
              expectedVersion: stream.version,
              events: [
                {
                  type: 'Added',
                  data: { by },
                  metadata: {
                    commandId,
                    commandType: 'Add',
                    causationId: commandId,
                    correlationId: commandId,
                    schemaVersion: 1,
                  },
                },
              ],
            },
          ],
          projections: [{ projection: counters, rows: [{ id: streamId, value, version }] }],
          snapshots: version % 3 === 0 ? [{ streamId, version, schemaVersion: 1, state: { value } }] : [],
        },
      };
    },
  };
}

const specs = (...list: CommandSpec<{ value: number; version: number }, { code: 'BelowZero' }>[]) =>
  list as CommandSpec<unknown, unknown>[];

describe('a batch of commands on one stream, decided in sequence', async () => {
  it('decides each command on the state the ones before it left: versions chain, the last snapshot compacts the stream', async () => {
    const { results, work } = await decideInSequence(
      specs(add('a', 5), add('b', 2), add('c', 1), add('d', 4)),
      new Map(),
      new Map([[STREAM, emptyStream()]]),
    );
    expect(results).toEqual([
      { status: 'accepted', result: { value: 5, version: 1 }, commandId: 'a', replayed: false },
      { status: 'accepted', result: { value: 7, version: 2 }, commandId: 'b', replayed: false },
      { status: 'accepted', result: { value: 8, version: 3 }, commandId: 'c', replayed: false },
      { status: 'accepted', result: { value: 12, version: 4 }, commandId: 'd', replayed: false },
    ]);
    expect(work.map((w) => w.appends[0]!.expectedVersion)).toEqual([0, 1, 2, 3]);
    expect(work.flatMap((w) => w.snapshots)).toEqual([
      { streamId: STREAM, version: 3, schemaVersion: 1, state: { value: 8 } },
    ]);
  });

  it('a rejection is recorded and leaves the stream as it was for the next command', async () => {
    const { results, work } = await decideInSequence(
      specs(add('a', 1), add('b', -5), add('c', -1)),
      new Map(),
      new Map([[STREAM, emptyStream()]]),
    );
    expect(results.map((r) => ('status' in r ? r.status : 'error'))).toEqual(['accepted', 'rejected', 'accepted']);
    expect(work.map((w) => [w.command.commandId, w.command.status, w.appends.length])).toEqual([
      ['a', 'accepted', 1],
      ['b', 'rejected', 0],
      ['c', 'accepted', 1],
    ]);
    expect(work[2]!.appends[0]!.expectedVersion).toBe(1);
  });

  it('a command id twice in one batch is decided once; the copy replays it, or is refused as key reuse', async () => {
    const { results, work } = await decideInSequence(
      specs(add('a', 3), add('a', 3), add('a', 9, 'add 9')),
      new Map(),
      new Map([[STREAM, emptyStream()]]),
    );
    expect(work).toHaveLength(1);
    expect(results[1]).toEqual({
      status: 'accepted',
      result: { value: 3, version: 1 },
      commandId: 'a',
      replayed: true,
    });
    expect(results[2]).toEqual({ status: 'key-reused', commandId: 'a', originalType: 'Add' });
  });

  it('a command already recorded is replayed without deciding it again', async () => {
    const recorded: CommandRecord = {
      commandId: 'a',
      type: 'Add',
      streamIds: [STREAM],
      fingerprint: 'add 3',
      status: 'accepted',
      outcome: { status: 'accepted', result: { value: 3, version: 1 } },
      createdAt: new Date(),
    };
    const loaded: LoadedStream = { snapshot: { version: 1, state: { value: 3 } }, events: [], version: 1 };
    const { results, work } = await decideInSequence(
      specs(add('a', 3), add('b', 1)),
      new Map([['a', recorded]]),
      new Map([[STREAM, loaded]]),
    );
    expect(results[0]).toMatchObject({ status: 'accepted', replayed: true });
    expect(results[1]).toEqual({
      status: 'accepted',
      result: { value: 4, version: 2 },
      commandId: 'b',
      replayed: false,
    });
    expect(work.map((w) => w.command.commandId)).toEqual(['b']);
  });

  it('a decision that throws fails that command alone', async () => {
    const broken = {
      ...add('b', 1),
      decide: () => {
        throw new Error('bug in b');
      },
    };
    const { results, work } = await decideInSequence(
      specs(add('a', 1), broken, add('c', 1)),
      new Map(),
      new Map([[STREAM, emptyStream()]]),
    );
    expect(results[1]).toEqual({ error: new Error('bug in b') });
    expect(work.map((w) => [w.command.commandId, w.appends[0]!.expectedVersion])).toEqual([
      ['a', 0],
      ['c', 1],
    ]);
  });

  it('commands on different streams are decided independently; a duplicate id across them is still decided once', async () => {
    const other = (id: string, by: number) => add(id, by, `add ${by}`, 'counter-2');
    const loaded = new Map([
      [STREAM, emptyStream()],
      ['counter-2', { snapshot: { version: 3, state: { value: 10 } }, events: [], version: 3 }],
    ]);
    const { results, work, streams } = await decideInSequence(
      specs(add('a', 1), other('b', 1), add('c', 1), other('a', 1)),
      new Map(),
      loaded,
    );
    expect(results.slice(0, 3).map((r) => ('result' in r ? r.result : r))).toEqual([
      { value: 1, version: 1 },
      { value: 11, version: 4 },
      { value: 2, version: 2 },
    ]);
    expect(results[3]).toMatchObject({ status: 'accepted', replayed: true, commandId: 'a' });
    expect(work).toHaveLength(3);
    expect([streams.get(STREAM)!.version, streams.get('counter-2')!.version]).toEqual([2, 4]);
  });
});
