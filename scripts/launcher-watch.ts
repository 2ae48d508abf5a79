// Noticing that whatever launched `npm start` is gone. A process manager stops a service with a
// SIGTERM to the process it started, which for `npm start` is npm: npm passes it to the shell that
// runs the script, and that shell (dash) dies of it without passing it on, so npm exits while this
// process (and Next.js and PostgreSQL under it) would keep running. The same happens to anything
// launched through a parent that is killed outright. So start.ts also watches its launchers: the
// processes between it and npm (or just its parent, when run as `tsx scripts/start.ts`); when one of
// them dies its children are re-parented, the chain changes, and start.ts stops in order.
import { readFileSync } from 'node:fs';

/** The parent of `pid`, from /proc; null where there is no /proc (not Linux) or no such process. */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command name, may hold spaces and parentheses) state ppid …"
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(parent) ? parent : null;
  } catch {
    return null;
  }
}

const runByNpm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .some((entry) => entry.startsWith('npm_lifecycle_event='));
  } catch {
    return false;
  }
};

/** This process's launchers, nearest first: up to and including npm when `npm start` ran it, else the parent. */
export function launchers(): number[] {
  const chain: number[] = [];
  let pid: number | null = process.ppid;
  while (pid !== null && pid > 1) {
    chain.push(pid);
    if (!process.env.npm_lifecycle_event || !runByNpm(pid)) break; // pid is npm (or the only parent)
    pid = parentOf(pid);
  }
  return chain;
}

/** Calls `onGone` (once) when one of this process's launchers has exited. Polls; never keeps the process alive. */
export function watchLaunchers(onGone: (pid: number) => void, everyMs = 500): () => void {
  const chain = launchers();
  const timer = setInterval(() => {
    let pid: number | null = process.ppid;
    for (const expected of chain) {
      if (pid === null) return; // no /proc beyond the parent: only that link is watched
      if (pid !== expected) {
        clearInterval(timer);
        onGone(expected);
        return;
      }
      pid = parentOf(pid);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
