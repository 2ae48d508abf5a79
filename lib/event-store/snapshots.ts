// When a stream gets a snapshot: at every multiple of `every` events that a commit crosses.
import { loadConfig } from '@/lib/config';

/** Snapshot every N events by default (IDEM_SNAPSHOT_EVERY; 0 turns snapshots off). Measured: bench/RESULTS.md. */
export const DEFAULT_SNAPSHOT_EVERY = 10;

let configured: number | undefined;

/** The interval for this process: IDEM_SNAPSHOT_EVERY, read once (reading the environment on every command showed in the profile). */
export function snapshotEvery(env?: Record<string, string | undefined>): number {
  if (env === undefined) return (configured ??= loadConfig().IDEM_SNAPSHOT_EVERY ?? DEFAULT_SNAPSHOT_EVERY);
  // An empty value (`IDEM_SNAPSHOT_EVERY=` in an env file) means unset; Number('') would be 0, i.e. off.
  const raw = env.IDEM_SNAPSHOT_EVERY?.trim();
  const value = raw ? Number(raw) : DEFAULT_SNAPSHOT_EVERY;
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_SNAPSHOT_EVERY;
}

/** True when a commit moving a stream from `fromVersion` to `toVersion` crosses a multiple of `every`. */
export function snapshotDue(fromVersion: number, toVersion: number, every: number): boolean {
  return every > 0 && toVersion > fromVersion && Math.floor(toVersion / every) !== Math.floor(fromVersion / every);
}
