import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SNAPSHOT_EVERY, snapshotDue, snapshotEvery } from './snapshots';

// A stream gets a snapshot when a commit crosses (or lands on) a multiple of `every` events, so a
// reader never replays more than `every` events after the latest snapshot, whatever the commit sizes.

describe('snapshotDue', () => {
  it('is due when a one-event commit lands exactly on a multiple', () => {
    expect(snapshotDue(9, 10, 10)).toBe(true);
    expect(snapshotDue(19, 20, 10)).toBe(true);
    expect(snapshotDue(0, 1, 1)).toBe(true);
  });

  it('is not due between multiples, nor on the commit after one', () => {
    expect(snapshotDue(10, 11, 10)).toBe(false);
    expect(snapshotDue(3, 4, 10)).toBe(false);
    expect(snapshotDue(0, 9, 10)).toBe(false);
  });

  it('is due when a multi-event commit crosses a multiple without landing on it', () => {
    expect(snapshotDue(9, 11, 10)).toBe(true);
    expect(snapshotDue(0, 2, 2)).toBe(true);
    expect(snapshotDue(8, 12, 5)).toBe(true);
    expect(snapshotDue(4, 25, 10)).toBe(true);
  });

  it('is never due when every is 0 (snapshots off)', () => {
    expect(snapshotDue(9, 10, 0)).toBe(false);
    expect(snapshotDue(0, 1, 0)).toBe(false);
  });

  it('is not due for a commit that appends nothing, even at a multiple', () => {
    expect(snapshotDue(10, 10, 10)).toBe(false);
    expect(snapshotDue(0, 0, 1)).toBe(false);
  });
});

describe('snapshotEvery (IDEM_SNAPSHOT_EVERY)', () => {
  const every = (value: string | undefined) => snapshotEvery({ IDEM_SNAPSHOT_EVERY: value });

  it('defaults to 10 when unset or empty', () => {
    expect(DEFAULT_SNAPSHOT_EVERY).toBe(10);
    expect(snapshotEvery({})).toBe(10);
    expect(every(undefined)).toBe(10);
    expect(every('')).toBe(10);
    expect(every('  ')).toBe(10);
  });

  it('takes a whole number, and 0 to turn snapshots off', () => {
    expect(every('25')).toBe(25);
    expect(every(' 3 ')).toBe(3);
    expect(every('0')).toBe(0);
  });

  it('falls back to the default for garbage, fractions and negatives', () => {
    for (const value of ['ten', '10x', '2.5', '-1', '-10', 'NaN', 'Infinity']) expect(every(value)).toBe(10);
  });

  it('reads process.env when given no environment', () => {
    vi.stubEnv('IDEM_SNAPSHOT_EVERY', '7');
    try {
      expect(snapshotEvery()).toBe(7);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
