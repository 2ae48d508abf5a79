// What an instance of the cluster printed, counted line by line as it arrives: the output buffer keeps
// only the last lines, so anything a test must know about the whole run is counted here. A pipe
// delivers chunks, not lines: a line split across two chunks is carried over and counted once, whole.

export type InstanceErrors = {
  /** "unexpected error" lines: the app answered 500 (lib/http/api-handler.ts). */
  internal: number;
  /** Uncaught exceptions and unhandled rejections. */
  uncaught: number;
  /** Exits nobody asked for (not a kill, restart or stop of the cluster). */
  unexpectedExits: number;
  /** The first few of those lines, for a test's failure message. */
  excerpts: string[];
};

/** Lines that are not errors but prove a fault was felt: "database unavailable" (answered 503). */
export type InstanceNotices = { unavailable: number };

/** A log line saying the app answered 500 (lib/http/api-handler.ts) or something escaped every handler. */
export function errorKind(line: string): 'internal' | 'uncaught' | null {
  if (line.includes('unexpected error')) return 'internal';
  if (/uncaught|unhandled/i.test(line)) return 'uncaught';
  return null;
}

/** The app's line for a request refused with 503 because PostgreSQL could not be reached. */
const isUnavailableLine = (line: string) => line.includes('database unavailable');

const EXCERPTS = 3;

export function newInstanceErrors(): InstanceErrors {
  return { internal: 0, uncaught: 0, unexpectedExits: 0, excerpts: [] };
}

/**
 * Splits a stream's chunks into lines, keeping an unfinished last line until the rest arrives
 * (`flush` hands it over when the stream ends). One splitter per stream: stdout and stderr interleave.
 */
export function lineSplitter(onLine: (line: string) => void): { push: (chunk: string) => void; flush: () => void } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line) onLine(line);
    },
    flush() {
      if (partial) onLine(partial);
      partial = '';
    },
  };
}

/** Counts one line into `errors` and `notices`. */
export function countLine(line: string, errors: InstanceErrors, notices: InstanceNotices): void {
  if (isUnavailableLine(line)) notices.unavailable += 1;
  const kind = errorKind(line);
  if (!kind) return;
  errors[kind] += 1;
  if (errors.excerpts.length < EXCERPTS) errors.excerpts.push(line);
}

/** Counts an exit the cluster did not cause. */
export function countUnexpectedExit(errors: InstanceErrors, how: string): void {
  errors.unexpectedExits += 1;
  if (errors.excerpts.length < EXCERPTS) errors.excerpts.push(`[cluster] exited unexpectedly (${how})`);
}
