import { describe, expect, it } from 'vitest';
import { checkHistory, classify, logFacts, unavailableAfter, type HistoryOp } from './history';

const op = (key: string, status: number, at: number, extra: Partial<HistoryOp> = {}): HistoryOp => ({
  key,
  type: classify(status),
  status,
  at,
  ms: 10,
  replayed: false,
  ...extra,
});
const accepted = (ids: string[]) =>
  logFacts(
    ids.map((command_id) => ({ command_id, status: 'accepted' })),
    ids.map((command_id, i) => ({ command_id, xmin: String(100 + i) })),
  );

describe('the failover history checker', () => {
  it('classifies answers as Jepsen does: 2xx ok, definite 4xx fail, everything unknown info', () => {
    expect([200, 201, 422, 404, 409, 429, 503, 500, 0].map(classify)).toEqual([
      'ok',
      'ok',
      'fail',
      'fail',
      'info',
      'info',
      'info',
      'info',
      'info',
    ]);
  });

  it('a clean history passes: acknowledged once, an unknown attempt answered later by a replay', () => {
    const history = [op('a', 201, 1), op('b', 0, 2), op('b', 503, 3), op('b', 201, 4, { replayed: true })];
    const report = checkHistory(history, accepted(['a', 'b']));
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ ok: 2, info: 2, keysWithInfo: 1, infoThenReplayed: 1, acknowledgedLost: 0 });
  });

  it('fails on an acknowledged command missing from the log (lost in a failover)', () => {
    const report = checkHistory([op('a', 201, 1), op('b', 201, 2)], accepted(['a']));
    expect(report.acknowledgedLost).toBe(1);
    expect(report.violations).toEqual([expect.stringMatching(/^\[acknowledged-lost\] b/)]);
  });

  it('fails on a command decided twice: two records, or its events from two commits', () => {
    const twoRows = logFacts(
      [
        { command_id: 'a', status: 'accepted' },
        { command_id: 'a', status: 'accepted' },
      ],
      [{ command_id: 'a', xmin: '1' }],
    );
    expect(checkHistory([op('a', 201, 1)], twoRows).violations).toEqual([
      expect.stringMatching(/^\[decided-twice\] a: 2 command row/),
    ]);
    const twoCommits = logFacts(
      [{ command_id: 'a', status: 'accepted' }],
      [
        { command_id: 'a', xmin: '1' },
        { command_id: 'a', xmin: '2' },
      ],
    );
    expect(checkHistory([op('a', 0, 1), op('a', 201, 2)], twoCommits).violations).toEqual([
      expect.stringMatching(/^\[decided-twice\] a: 1 command row\(s\), events from 2 commit/),
    ]);
  });

  it('fails on a key never answered, and on a refused command that was applied', () => {
    expect(checkHistory([op('a', 503, 1), op('a', 0, 2)], new Map()).violations).toEqual([
      expect.stringMatching(/^\[unanswered\] a/),
    ]);
    expect(checkHistory([op('a', 422, 1)], accepted(['a'])).violations).toEqual([
      expect.stringMatching(/^\[refused-applied\] a/),
    ]);
  });

  it('measures write unavailability from the fault to the first acknowledged write sent after it', () => {
    const history = [
      op('a', 201, 100),
      op('b', 503, 1_000),
      op('a', 201, 1_100, { replayed: true }),
      op('c', 201, 1_500, { ms: 700 }),
      op('d', 201, 3_000),
    ];
    expect(unavailableAfter(history, 1_000)).toBe(1_200);
    expect(unavailableAfter(history, 5_000)).toBeNull();
  });
});
