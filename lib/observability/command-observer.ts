// The one hook between the exactly-once engine and observability (metrics, logs, traces). The
// engine calls it; it imports nothing but lib/singleton, so the engine stays free of prom-client, pino and
// OpenTelemetry, and works unchanged when nothing is installed (tests, scripts, benchmarks).
//
// The observer is a process singleton: Next.js bundles instrumentation.ts and the route handlers
// separately, so a module-level variable set in one bundle would not be seen by the other.
import { singleton } from '@/lib/singleton';

/** How a finished command ended; the label values of idem_commands_total{outcome}. */
export type CommandOutcome = 'accepted' | 'rejected' | 'replayed' | 'key_reused' | 'busy';

export type CommandFinished = {
  type: string;
  commandId: string;
  outcome: CommandOutcome;
  durationMs: number;
  attempts: number;
};

/** A write conflict the engine retried or resolved (kind: unique, serialization, deadlock, lock-timeout). */
export type WriteConflictSeen = { kind: string; type: string; commandId: string; attempt: number };

export type CommandStep = 'command' | 'load' | 'decide' | 'commit';

export type CommandObserver = {
  finished?: (event: CommandFinished) => void;
  conflict?: (event: WriteConflictSeen) => void;
  /**
   * Runs one step of a command (or the whole command) — tracing wraps it in a span. `attributes`
   * carry the command id and type, and the outcome once it is known.
   */
  step?: <T>(step: CommandStep, attributes: Record<string, string | number>, run: () => Promise<T>) => Promise<T>;
};

const slot = singleton('commandObserver', () => ({ observer: undefined as CommandObserver | undefined }));

/** Installs the process's observer (lib/process/start.ts); `null` removes it. */
export function setCommandObserver(observer: CommandObserver | null): void {
  slot.observer = observer ?? undefined;
}

export function commandObserver(): CommandObserver | undefined {
  return slot.observer;
}

/** For the engine: run a step through the observer, or directly when there is none. */
export function observeStep<T>(
  step: CommandStep,
  attributes: Record<string, string | number>,
  run: () => Promise<T>,
): Promise<T> {
  const wrap = slot.observer?.step;
  return wrap ? wrap(step, attributes, run) : run();
}

/** Never lets an observer's failure change a command's outcome. */
export function notify<E>(call: ((event: E) => void) | undefined, event: E): void {
  try {
    call?.(event);
  } catch {
    // observability must not break the command path
  }
}

/** The outcome label of a command result ({status, replayed?} — the engine's CommandResult). */
export function outcomeOf(result: { status: string; replayed?: boolean }): CommandOutcome {
  if (result.status === 'key-reused') return 'key_reused';
  if (result.status === 'busy') return 'busy';
  if (result.replayed) return 'replayed';
  return result.status === 'rejected' ? 'rejected' : 'accepted';
}
