import { describe, expect, it, vi } from 'vitest';

// Next.js bundles a module into several chunks, each with its own top-level variables; the engine's
// hints and stream turns must still be the process's own (lib/singleton.ts). Two fresh copies of a
// module here stand for two chunks.
async function twoCopies<T>(load: () => Promise<T>): Promise<[T, T]> {
  vi.resetModules();
  const first = await load();
  vi.resetModules();
  const second = await load();
  expect(second).not.toBe(first);
  return [first, second];
}

describe('process-wide engine state', () => {
  it('contention hints marked by one copy of the module are seen by another', async () => {
    const [one, other] = await twoCopies(() => import('./contention'));
    one.markContended(['process-state-a']);
    one.markShared(['process-state-b']);
    expect(other.isContended(['process-state-a'])).toBe(true);
    expect(other.isShared(['process-state-b'])).toBe(true);
  });

  it('a stream turn taken through one copy is held for the other', async () => {
    const [one, other] = await twoCopies(() => import('./stream-turns'));
    const owner = {};
    const passOn = await one.takeTurns(owner, ['process-state-c']);
    expect(other.streamsInTurn(owner)).toBe(1);
    let second = false;
    const waiting = other.takeTurns(owner, ['process-state-c']).then((next) => {
      second = true;
      return next;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    passOn!();
    (await waiting)!();
    expect(one.streamsInTurn(owner)).toBe(0);
  });
});
