// What a data directory's postmaster.pid says about the server running on it, and how to stop a
// process and wait until it is gone. Linux (/proc) and PostgreSQL 10+ (the status line).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type PidFile = { pid: number; port: number; state: string };

// postmaster.pid: pid, data directory, start time, port, socket directory, listen address, shared
// memory key, status ("starting", "ready", "stopping", "standby").
function readPidFile(dataDir: string): PidFile | null {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const pid = Number(lines[0]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    return { pid, port: Number(lines[3]), state: (lines[7] ?? '').trim() };
  } catch {
    return null; // removed while we read it
  }
}

/** The pid and status of the server running on `dataDir`, or null when none runs. */
export function postmasterStatus(dataDir: string): PidFile | null {
  const found = readPidFile(dataDir);
  return found && isAlive(found.pid) ? found : null;
}

export function postmasterPid(dataDir: string): number | null {
  return postmasterStatus(dataDir)?.pid ?? null;
}

export type LiveServer = { pid: number; port: number; parent: number | null; owned: boolean };

/**
 * The server running on `dataDir`, if any, and whether a live Node process still owns it (the one
 * that started it is its parent). After a `kill -9` of that process it is re-parented: an orphan.
 */
export function liveServer(dataDir: string): LiveServer | null {
  const found = postmasterStatus(dataDir);
  if (!found || !Number.isInteger(found.port)) return null;
  const parent = parentPid(found.pid);
  return {
    pid: found.pid,
    port: found.port,
    parent,
    owned: parent !== null && parent > 1 && parent !== found.pid && isNode(parent),
  };
}

function parentPid(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function isNode(pid: number): boolean {
  try {
    return (
      /(^|\/)node$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()) ||
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node')
    );
  } catch {
    return false;
  }
}

/**
 * Sends `signal` and waits until the process is gone. For a postmaster: SIGINT is a fast shutdown
 * (`pg_ctl stop -m fast`), SIGQUIT an immediate one (`-m immediate`), SIGTERM a smart one.
 */
export async function stopProcess(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive ${timeoutMs} ms after ${signal}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
