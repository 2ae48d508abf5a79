// Where the client's CPU goes: the Idem contender of benchmark 1 runs once more with V8's sampling
// profiler on during the measured window (bench/suites/append-worker.ts), and each sample's self time is
// put in a bucket by the code it was in: Prisma's runtime, Prisma's pg adapter, the pg driver,
// Idem's own modules (per file), Node.js core, GC. "Inclusive" times say how much CPU ran under a
// function (its synchronous part: an await ends the stack). A flame graph of the same profile is
// written next to the report (bench/report/flame.ts).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppendCell, AppendCellResult } from './append-worker';
import { migrate } from '../../lib/db/migrate';
import type { BenchServer } from '../measurement/pg-server';
import { runChild } from '../measurement/spawn';

export type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};

export type ProfileSummary = {
  cell: AppendCell;
  commands: number;
  commandsPerSecond: number;
  /** Client CPU per command from the process's CPU counters in the same (profiled) run, µs. */
  clientUsPerCommand: number;
  /** Profiled time (all samples but idle), ms. */
  busyMs: number;
  /** `usPerCommand` = the bucket's share of the profiled samples × clientUsPerCommand. */
  buckets: { name: string; ms: number; share: number; usPerCommand: number }[];
  idemFunctions: { name: string; selfMs: number; inclusiveMs: number }[];
  topSelf: { name: string; bucket: string; ms: number }[];
  /** Folded stacks ("a;b;c count"), for flame graph tools; and the file names written. */
  folded: string;
};

/** The bucket a frame belongs to, by where its code lives. */
export function bucketOf(frame: { functionName: string; url: string }): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 / native (program)';
  if (url.includes('/lib/generated/prisma/') || url.includes('/node_modules/@prisma/client/'))
    return 'Prisma client runtime';
  if (url.includes('/node_modules/@prisma/adapter-pg/') || url.includes('/node_modules/@prisma/driver-adapter-utils/'))
    return 'Prisma adapter-pg';
  if (/\/node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+|pgpass|pg-connection-string)\//.test(url))
    return 'pg driver';
  if (url.includes('/node_modules/hdr-histogram-js/') || url.includes('/bench/')) return 'bench harness';
  if (url.includes('/node_modules/tsx/') || url.includes('/node_modules/esbuild/')) return 'tsx loader';
  if (url.includes('/lib/')) return `Idem: ${url.slice(url.lastIndexOf('/lib/') + 1)}`;
  if (url.startsWith('node:')) return `Node.js core (${url.slice(5).split('/')[0]})`;
  if (url.includes('/node_modules/')) return `other package (${url.split('/node_modules/')[1]?.split('/')[0]})`;
  if (url === '') {
    // Native functions have no script: name them by what calls them.
    if (
      /^(writev|writeBuffer|writeUtf8String|writeLatin1String|utf8Write|utf8Slice|latin1Slice|asciiSlice|byteLengthUtf8|copy|compare|fill)$/.test(
        functionName,
      )
    )
      return 'Node.js core (socket and buffer natives)';
    if (/^(Hash|HashDigest|update|digest|oneShotDigest)$/.test(functionName)) return 'Node.js core (crypto natives)';
    if (/^(readFileUtf8|readdir|open|close|read)$/.test(functionName)) return 'bench harness';
    return 'V8 / runtime (microtasks, natives)';
  }
  return 'other';
}

/**
 * Sample deltas are wall time: on a loaded machine a sample also covers time the thread was not
 * running. So the profile gives each bucket's SHARE, and the CPU counters (/proc) of the same run
 * give the client CPU per command that the shares divide.
 */
export function summarizeProfile(
  profile: CpuProfile,
  cell: AppendCell,
  commands: number,
  seconds: number,
  clientUsPerCommand: number,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ms = new Map<number, number>(); // node id → self ms
  // The first sample carries the time before the profiler started (inside the inspector's dispatch).
  profile.samples.forEach((id, i) => i > 0 && ms.set(id, (ms.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const label = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const bucket = bucketOf(f);
    // Idem's own frames by file (tsx's output has no useful line numbers); packages by line, as minified names repeat.
    return bucket.startsWith('Idem: ')
      ? `${f.functionName || '(anonymous)'} ${bucket.slice(6)}`
      : `${f.functionName || '(anonymous)'} ${bucket}:${f.lineNumber + 1}`;
  };
  const buckets = new Map<string, number>();
  const self = new Map<string, { bucket: string; ms: number }>();
  const idemSelf = new Map<string, number>();
  const idemInclusive = new Map<string, number>();
  const folded = new Map<string, number>();
  let busyMs = 0;
  for (const [id, t] of ms) {
    const frame = byId.get(id)!.callFrame;
    const bucket = bucketOf(frame);
    if (bucket === 'idle') continue;
    busyMs += t;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + t);
    const name = label(id);
    self.set(name, { bucket, ms: (self.get(name)?.ms ?? 0) + t });
    if (bucket.startsWith('Idem: ')) idemSelf.set(name, (idemSelf.get(name) ?? 0) + t);
    const stack: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.unshift(at);
    const seen = new Set<string>();
    for (const s of stack) {
      const f = byId.get(s)!.callFrame;
      const n = label(s);
      if (bucketOf(f).startsWith('Idem: ') && !seen.has(n)) {
        seen.add(n);
        idemInclusive.set(n, (idemInclusive.get(n) ?? 0) + t);
      }
    }
    const key = stack
      .filter((s) => byId.get(s)!.callFrame.functionName !== '(root)')
      .map((s) => label(s).replace(/;/g, ','))
      .join(';');
    folded.set(key, (folded.get(key) ?? 0) + t);
  }
  return {
    cell,
    commands,
    commandsPerSecond: commands / seconds,
    clientUsPerCommand,
    busyMs,
    buckets: [...buckets]
      .sort((a, b) => b[1] - a[1])
      .map(([name, v]) => ({ name, ms: v, share: v / busyMs, usPerCommand: (v / busyMs) * clientUsPerCommand })),
    idemFunctions: [...idemInclusive]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, inclusiveMs]) => ({ name, inclusiveMs, selfMs: idemSelf.get(name) ?? 0 })),
    topSelf: [...self]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 25)
      .map(([name, v]) => ({ name, bucket: v.bucket, ms: v.ms })),
    folded: [...folded].map(([k, v]) => `${k} ${Math.round(v * 1000)}`).join('\n'),
  };
}

export type ProfileConfig = { cells: AppendCell[]; warmupMs: number; durationMs: number };

/** Runs the Idem contender once per cell with the profiler on; returns one summary per cell and the raw profiles. */
export async function runProfile(
  server: BenchServer,
  config: ProfileConfig,
  log: (line: string) => void,
): Promise<{ summaries: ProfileSummary[]; profiles: CpuProfile[] }> {
  const url = await server.freshDatabase('bench_profile');
  await migrate(url);
  const dir = mkdtempSync(path.join(tmpdir(), 'idem-bench-profile-'));
  try {
    log(
      `profile: Idem contender with V8's sampling profiler (${config.cells.map((c) => `${c.mode} ${c.concurrency}`).join(', ')})`,
    );
    const results = await runChild<AppendCellResult[]>('suites/append-worker.ts', {
      contender: 'idem',
      url,
      cells: config.cells,
      warmupMs: config.warmupMs,
      durationMs: config.durationMs,
      rep: 90,
      pgPid: server.pgPid,
      profile: path.join(dir, 'idem'),
    });
    const summaries: ProfileSummary[] = [];
    const profiles: CpuProfile[] = [];
    for (const r of results) {
      const file = readdirSync(dir).find((f) => f === `idem-${r.mode}-${r.concurrency}.cpuprofile`);
      if (!file) continue;
      const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
      profiles.push(profile);
      const s = summarizeProfile(
        profile,
        { mode: r.mode, concurrency: r.concurrency },
        r.ops,
        config.durationMs / 1000,
        (r.cpu.client / r.opsPerSecond) * 1e6,
      );
      summaries.push(s);
      log(
        `  ${r.mode} ${r.concurrency}: ${r.opsPerSecond.toFixed(0)} commands/s under the profiler; ${s.buckets
          .slice(0, 5)
          .map((b) => `${b.name} ${b.usPerCommand.toFixed(0)} µs`)
          .join(', ')}`,
      );
    }
    return { summaries, profiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** The report section: buckets (µs per command), Idem's functions, the hottest frames. */
export function renderProfile(summaries: ProfileSummary[], flameGraphs: string[]): string[] {
  const L: string[] = ['## 2. Client CPU profile (Idem contender)', ''];
  L.push(
    "V8's sampling profiler (every 200 µs) on the Idem contender's process during a measured window of benchmark 1, in a separate run (the profiler costs throughput, so these runs are not in the tables above). Self time is bucketed by where the code lives. A sample's duration is wall time, which on a loaded machine includes time the process was not running, so the profile gives shares, and µs per command = share × the client CPU per command that the process's CPU counters measured in the same run. Inclusive time of an Idem function counts what ran under it synchronously (an `await` ends a stack: the driver's parsing of a reply runs under the driver, not under the function that awaited it).",
    '',
  );
  for (const img of flameGraphs) L.push(`![${img}](${img})`);
  L.push('');
  for (const s of summaries) {
    L.push(
      `### ${s.cell.mode} streams, ${s.cell.concurrency} writers: ${f(s.commandsPerSecond)} commands/s under the profiler, ${f(s.clientUsPerCommand)} µs of client CPU per command`,
      '',
    );
    L.push('| bucket (self time) | µs per command | share |', '| --- | ---: | ---: |');
    for (const b of s.buckets.filter((x) => x.share >= 0.003))
      L.push(`| ${b.name} | ${f(b.usPerCommand)} | ${f(b.share * 100, 1)} % |`);
    L.push('', '| Idem function | inclusive µs per command | self µs per command |', '| --- | ---: | ---: |');
    const per = (ms: number) => (ms / s.busyMs) * s.clientUsPerCommand;
    for (const fn of s.idemFunctions) L.push(`| \`${fn.name}\` | ${f(per(fn.inclusiveMs))} | ${f(per(fn.selfMs))} |`);
    L.push(
      '',
      '<details><summary>Hottest frames (self time)</summary>',
      '',
      '| frame | bucket | µs per command |',
      '| --- | --- | ---: |',
    );
    for (const t of s.topSelf) L.push(`| \`${t.name}\` | ${t.bucket} | ${f(per(t.ms), 1)} |`);
    L.push('', '</details>', '');
  }
  return L;
}
