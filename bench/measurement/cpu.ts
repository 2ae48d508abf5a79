// Where the CPU went during a measured window, from /proc: the whole machine, the PostgreSQL server
// (postmaster + backends), this process (the load generator / client), and everything else on the
// machine (other users' builds and tests share these 2 cores: reported so a noisy run shows).
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Sample = { at: number; machineBusy: number; machineTotal: number; pg: number; self: number; pids: number[] };

function machine(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

function statOf(pid: number): { ppid: number; ticks: number; childTicks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after ")": state ppid … utime(11) stime(12) cutime(13) cstime(14), 0-based from state
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** CPU ticks of `roots` and all their descendants (live ones, plus what exited children left in cutime). */
export function treeTicks(roots: number[]): number {
  const parents = new Map<number, number[]>();
  const stats = new Map<number, { ppid: number; ticks: number; childTicks: number }>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = statOf(pid);
    if (!s) continue;
    stats.set(pid, s);
    parents.set(s.ppid, [...(parents.get(s.ppid) ?? []), pid]);
  }
  let ticks = 0;
  const visit = (pid: number, root: boolean) => {
    const s = stats.get(pid);
    if (!s) return;
    ticks += s.ticks + (root ? s.childTicks : 0);
    for (const child of parents.get(pid) ?? []) visit(child, false);
  };
  for (const root of roots) visit(root, true);
  return ticks;
}

export function sampleCpu(pgPid: number | null, clientPids: number[] = [process.pid]): Sample {
  const m = machine();
  return {
    at: Date.now(),
    machineBusy: m.busy,
    machineTotal: m.total,
    pg: pgPid ? treeTicks([pgPid]) : 0,
    self: treeTicks(clientPids),
    pids: clientPids,
  };
}

/** CPU use between two samples, in cores (1.0 = one core busy for the whole window). */
export type CpuUse = { machine: number; postgres: number; client: number; other: number };

export function cpuBetween(a: Sample, b: Sample): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  const totalTicks = b.machineTotal - a.machineTotal;
  const machineCores = totalTicks > 0 ? ((b.machineBusy - a.machineBusy) / totalTicks) * cpus().length : 0;
  const postgres = cores(b.pg - a.pg);
  const client = cores(b.self - a.self);
  return { machine: machineCores, postgres, client, other: Math.max(0, machineCores - postgres - client) };
}

/**
 * Waits (up to `maxWaitMs`) until the rest of the machine uses less than `maxOtherCores` over a
 * one-second window, so a measurement does not start in the middle of someone else's build.
 * Returns the last reading; the run goes on regardless (the report shows it).
 */
export async function waitForQuiet(
  pgPid: number | null,
  options: { maxOtherCores: number; maxWaitMs: number; log: (line: string) => void },
): Promise<number> {
  const deadline = Date.now() + options.maxWaitMs;
  let announced = false;
  for (;;) {
    const a = sampleCpu(pgPid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const other = cpuBetween(a, sampleCpu(pgPid)).other;
    if (other < options.maxOtherCores || Date.now() >= deadline) {
      if (announced || other >= options.maxOtherCores)
        options.log(
          `  (other processes: ${other.toFixed(2)} cores${other >= options.maxOtherCores ? ', going on anyway' : ''})`,
        );
      return other;
    }
    if (!announced)
      options.log(`  waiting for the machine to quieten (other processes use ${other.toFixed(2)} cores)…`);
    announced = true;
  }
}

/** CPU ticks of one process alone (not its children). */
export function ownTicks(pid: number): number {
  return statOf(pid)?.ticks ?? 0;
}

/** Cores used by named groups of processes between two calls of the returned function. */
export function cpuMeter(groups: Record<string, () => number>): () => Record<string, number> {
  const read = () => ({
    at: Date.now(),
    m: machine(),
    g: Object.fromEntries(Object.entries(groups).map(([k, f]) => [k, f()])),
  });
  const start = read();
  return () => {
    const end = read();
    const seconds = (end.at - start.at) / 1000;
    const total = end.m.total - start.m.total;
    const machineCores = total > 0 ? ((end.m.busy - start.m.busy) / total) * cpus().length : 0;
    const out: Record<string, number> = { machine: machineCores };
    let ours = 0;
    for (const k of Object.keys(groups)) {
      out[k] = (end.g[k]! - start.g[k]!) / TICKS_PER_SECOND / seconds;
      ours += out[k]!;
    }
    out.other = Math.max(0, machineCores - ours);
    return out;
  };
}
