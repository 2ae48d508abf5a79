// `npm run bench` (full mode: writes bench/RESULTS.md and bench/*.svg) and `npm run bench:quick`
// (CI-sized, a few minutes, writes bench/out/ only). Both only measure and report; neither
// asserts a timing. Options: --no-http, --no-append, --no-profile, --no-round-trips, --no-rehydration, --no-index-cost,
// --contenders idem,emmett-handler,pg-optimistic,pg-function,raw,emmett (a subset), --baseline REV (also
// measure Idem at git revision REV in the same run), --variant NAME:K=V,… (also measure Idem with
// that environment), --label NAME (a side run written to bench/out/), --app-dir DIR,
// --report-only (re-render RESULTS.md and the charts from bench/out/results-<mode>.json, e.g. after
// editing bench/ANALYSIS.md, the hand-written analysis that full mode puts into RESULTS.md), and
// --nice N (run the suite, PostgreSQL and the app instances at scheduling priority N, e.g. -10 as
// root, to keep other work on a shared machine from distorting the figures; recorded in the report),
// and --request-path (only benchmark 6, the request path around the command: bench/suites/request-path.ts;
// with --quick a smoke-sized run; writes bench/out/RESULTS.request-path.md), and --storage-probe (bytes per
// command per table and index on the engine path alone, printed: bench/suites/storage-probe.ts), and
// --profile KIND (one kind of request of benchmark 6 profiled alone: bench/out/request-flame-KIND.svg,
// the folded stacks, and PostgreSQL's busiest statements for it), and --tail KIND (one kind's slow tail:
// five runs at half of its peak, each with what happened before its slowest request, then the
// instance's warnings and errors), and --promoted KIND (those runs under V8's sampling heap profiler:
// what outlived the young generation's collections, per request and by whose code allocated it).
// One PostgreSQL server for the whole run: a fresh embedded one, or DATABASE_URL's. Ports come from
// BENCH_PG_PORTS / BENCH_APP_PORTS blocks ("3500-3599") when set, else any free port (bench/measurement/ports.ts).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, getPriority, setPriority, totalmem } from 'node:os';
import path from 'node:path';
import { DEFAULT_CONTENDERS, runAppendBench, type AppendConfig } from '../bench/suites/append';
import { prepareBaseline } from '../bench/measurement/baseline';
import type { ContenderName } from '../bench/suites/append-worker';
import { DEFAULT_APP_DIR } from '../bench/measurement/app';
import { runHttpBench, type HttpConfig } from '../bench/suites/http';
import { startBenchServer } from '../bench/measurement/pg-server';
import { runIndexCost } from '../bench/suites/index-cost';
import { runProfile, type ProfileConfig } from '../bench/suites/profile';
import { runRehydrationBench, type RehydrationConfig } from '../bench/suites/rehydration';
import { renderMarkdown, verdicts, writeCharts, type RunResults } from '../bench/report/report';
import { runRoundTripBench } from '../bench/suites/round-trips';
import {
  KINDS,
  profileRequestKind,
  tailRequestKind,
  runRequestPathBench,
  type Kind,
  type RequestPathConfig,
} from '../bench/suites/request-path';
import { renderRequestPath } from '../bench/report/request-path';
import { runStorageProbe } from '../bench/suites/storage-probe';
import { flameGraph } from '../bench/report/flame';
import { exitAfter, ROOT } from '../bench/measurement/spawn';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const skip = (name: string) => args.includes(`--no-${name}`);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
/** --label NAME: a side run (e.g. only some contenders) written to bench/out/*.NAME.* instead. */
const label = option('--label');
const contenders = option('--contenders')?.split(',') as ContenderName[] | undefined;
const appDir = args.includes('--app-dir')
  ? path.resolve(args[args.indexOf('--app-dir') + 1] ?? DEFAULT_APP_DIR)
  : DEFAULT_APP_DIR;

// Without --nice, each measurement waits (up to a minute) for the rest of the machine to quieten.
const QUIET_FULL = args.includes('--nice') ? null : { maxOtherCores: 0.3, maxWaitMs: 60_000 };

const appendConfig: AppendConfig = quick
  ? { concurrencies: [1, 8, 32], modes: ['distinct', 'hot'], reps: 1, warmupMs: 300, durationMs: 1000, quiet: null }
  : {
      concurrencies: [1, 8, 32],
      modes: ['distinct', 'hot'],
      reps: 3,
      warmupMs: 2000,
      durationMs: 6000,
      quiet: QUIET_FULL,
    };
if (contenders) appendConfig.contenders = contenders;
// --reps N, --seconds S, --modes hot,distinct, --writers 8,32: resize benchmark 1 (e.g. a longer A/B of one change).
if (option('--reps')) appendConfig.reps = Number(option('--reps'));
if (option('--seconds')) appendConfig.durationMs = Number(option('--seconds')) * 1000;
if (option('--modes')) appendConfig.modes = option('--modes')!.split(',') as AppendConfig['modes'];
if (option('--writers')) appendConfig.concurrencies = option('--writers')!.split(',').map(Number);
/** --baseline REV: also measure Idem at git revision REV in the same run (bench/measurement/baseline.ts). */
const baselineRev = option('--baseline');
/** --variant NAME:K=V,…: also measure Idem with that environment in the same run (e.g. snap1:IDEM_SNAPSHOT_EVERY=1). */
const variant = option('--variant');
if (variant) {
  const [name = 'variant', settings = ''] = variant.split(':');
  appendConfig.variant = {
    name,
    env: Object.fromEntries(
      settings
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string]),
    ),
  };
  appendConfig.contenders = [...new Set([...(appendConfig.contenders ?? DEFAULT_CONTENDERS), 'idem-variant' as const])];
}
const roundTripConfig = { commands: quick ? 30 : 200, contenders: [8, 32] };
const rehydrationConfig: RehydrationConfig = quick
  ? { lengths: [10, 1000, 10000], snapshotTail: 10, samples: 20, samplesWithoutSnapshots: [20, 20, 5] }
  : { lengths: [10, 1000, 10000, 100000], snapshotTail: 10, samples: 200, samplesWithoutSnapshots: [200, 100, 30, 10] };
const profileConfig: ProfileConfig = {
  cells: [
    { mode: 'distinct', concurrency: 32 },
    { mode: 'hot', concurrency: 32 },
  ],
  warmupMs: quick ? 500 : 2000,
  durationMs: quick ? 2000 : 6000,
};
const httpConfig: HttpConfig = quick
  ? { appDir, instances: [1, 3], accounts: 20, warmupSeconds: 1, seconds: 2, peakConnections: [32], quiet: null }
  : {
      appDir,
      instances: [1, 3],
      accounts: 200,
      warmupSeconds: 5,
      seconds: 15,
      peakConnections: [16, 48],
      quiet: QUIET_FULL,
    };

function machineFacts(): Record<string, string> {
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  const os = existsSync('/etc/debian_version')
    ? `Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}`
    : process.platform;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return {
    cpu: `${cpus().length} × ${cpuModel}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os,
    node: process.version,
    'load average at start': load,
    'scheduling priority (nice) of the suite, PostgreSQL and the app': String(getPriority(0)),
    note: 'shared machine: other people\'s builds and tests may run at the same time; the "other" CPU columns show how much',
  };
}

const runName = label ?? (quick ? 'quick' : 'full');

function report(results: RunResults, log: (line: string) => void) {
  const main = !quick && !label;
  const outDir = main ? path.join(ROOT, 'bench') : path.join(ROOT, 'bench', 'out');
  const charts = writeCharts(results, outDir, main ? '' : `${runName}-`);
  const analysisFile = path.join(ROOT, 'bench', 'ANALYSIS.md');
  const analysis = main && existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8') : '';
  const file = path.join(outDir, main ? 'RESULTS.md' : `RESULTS.${runName}.md`);
  // §7, the request path, comes from --request-path runs and the notes written around them, not
  // from this run: a full run keeps it as it was.
  const requestPath = main && existsSync(file) ? /\n## 7\. [\s\S]*$/.exec(readFileSync(file, 'utf8'))?.[0] : undefined;
  writeFileSync(file, renderMarkdown(results, charts, analysis) + (requestPath ?? ''));
  for (const v of verdicts(results))
    log(`target: ${v.target}: ${v.measured} → ${v.met === null ? '–' : v.met ? 'met' : 'missed'}`);
  log(`wrote ${path.relative(ROOT, file)} and ${charts.length} charts`);
}

/** --request-path: the request path around the command alone (a few minutes; bench/out/RESULTS.request-path.md). */
async function requestPath(log: (line: string) => void) {
  const server = await startBenchServer(log);
  const config: RequestPathConfig = {
    appDir,
    // Before the verdict cache, before the budget leases, and as built: interleaved in one run on one database.
    variants: [
      { name: 'cache off', env: { IDEM_AUTH_CACHE_SECONDS: '0', IDEM_BUDGET_LEASE_MS: '0' } },
      { name: 'leases off', env: { IDEM_BUDGET_LEASE_MS: '0' } },
      { name: 'as built', env: {} },
    ],
    reps: quick ? 1 : 3,
    seconds: quick ? 2 : 8,
    warmupSeconds: quick ? 1 : 3,
    connections: 32,
    accounts: quick ? 20 : 100,
    cluster: !args.includes('--no-cluster'),
  };
  try {
    const result = await runRequestPathBench(server, config, log);
    const command = `npm run bench -- ${args.join(' ')}`;
    mkdirSync(path.join(ROOT, 'bench', 'out'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'out', 'request-path.json'), JSON.stringify(result, null, 2));
    writeFileSync(path.join(ROOT, 'bench', 'out', 'RESULTS.request-path.md'), renderRequestPath(result, command));
    if (result.folded)
      writeFileSync(
        path.join(ROOT, 'bench', 'out', 'request-flame-withdraw.svg'),
        flameGraph(result.folded, 'next start: API withdrawals (closed loop), CPU by stack'),
      );
    log('wrote bench/out/RESULTS.request-path.md');
  } finally {
    await server.stop();
  }
}

/** --profile <kind>: a CPU profile of one kind of request (bench/out/request-flame-<kind>.svg and its top frames). */
async function profileOnly(kind: Kind) {
  const log = (line: string) => console.log(`[profile] ${line}`);
  const server = await startBenchServer(log);
  try {
    const config: RequestPathConfig = {
      appDir,
      variants: [{ name: 'as built', env: {} }],
      reps: 1,
      seconds: 10,
      warmupSeconds: 3,
      connections: 32,
      accounts: 20,
      cluster: false,
    };
    const profiled = await profileRequestKind(server, config, kind, log);
    if (!profiled) throw new Error('no profile was written');
    const { next, idem, auth, samples } = profiled.shares;
    log(
      `shares: Next.js ${(next * 100).toFixed(1)} %, Idem ${(idem * 100).toFixed(1)} % (auth ${(auth * 100).toFixed(1)} %), ${samples} samples`,
    );
    mkdirSync(path.join(ROOT, 'bench', 'out'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'out', `request-profile-${kind}.folded`), profiled.folded);
    writeFileSync(
      path.join(ROOT, 'bench', 'out', `request-flame-${kind}.svg`),
      flameGraph(profiled.folded, `next start: ${kind} (closed loop), CPU by stack`),
    );
    log(`wrote bench/out/request-flame-${kind}.svg and request-profile-${kind}.folded`);
  } finally {
    await server.stop();
  }
}

async function main() {
  if (args.includes('--nice')) setPriority(0, Number(args[args.indexOf('--nice') + 1] ?? 0)); // children inherit it
  if (args.includes('--storage-probe')) {
    // Three probes, each on a fresh database: concurrent writers leave a varying number of dead rows
    // behind their conflicts, and autovacuum frees them for reuse at varying moments. The median run is shown.
    const server = await startBenchServer(() => {});
    try {
      const probes = [];
      for (let run = 0; run < 3; run++) probes.push(await runStorageProbe(server, 4000));
      const sorted = [...probes].sort((a, b) => a.bytesPerCommand - b.bytesPerCommand);
      const probe = sorted[1]!;
      console.log(
        `three probes: ${probes.map((p) => p.bytesPerCommand.toFixed(0)).join(', ')} bytes per command; the median:`,
      );
      for (const r of probe.rows)
        console.log(`${r.relation.padEnd(45)} ${r.bytesPerCommand.toFixed(0).padStart(6)} bytes/command`);
      console.log(`total: ${probe.bytesPerCommand.toFixed(0)} bytes per command over ${probe.commands} commands`);
      console.log('average stored size per column (bytes per row; rows per command):');
      for (const c of probe.columns)
        console.log(
          `  ${`${c.table}.${c.column}`.padEnd(45)} ${c.bytesPerRow.toFixed(1).padStart(7)}  (${c.rowsPerCommand.toFixed(2)} rows/command)`,
        );
    } finally {
      await server.stop();
    }
    return;
  }
  if (args.includes('--profile')) {
    const kind = args[args.indexOf('--profile') + 1] as Kind;
    if (!KINDS.includes(kind)) throw new Error(`--profile takes one of ${KINDS.join(', ')}`);
    return profileOnly(kind);
  }
  if (args.includes('--tail') || args.includes('--promoted')) {
    const flag = args.includes('--tail') ? '--tail' : '--promoted';
    const kind = args[args.indexOf(flag) + 1] as Kind;
    if (!KINDS.includes(kind)) throw new Error(`${flag} takes one of ${KINDS.join(', ')}`);
    const log = (line: string) => console.log(`[tail] ${line}`);
    const server = await startBenchServer(log);
    try {
      await tailRequestKind(
        server,
        {
          appDir,
          variants: [{ name: 'as built', env: {} }],
          reps: 5,
          seconds: 8,
          warmupSeconds: 3,
          connections: 32,
          accounts: 20,
          cluster: false,
        },
        kind,
        log,
        { promoted: flag === '--promoted' },
      );
    } finally {
      await server.stop();
    }
    return;
  }
  if (args.includes('--request-path')) {
    const started = Date.now();
    return requestPath((line) =>
      console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`),
    );
  }
  const started = Date.now();
  const log = (line: string) =>
    console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);
  const saved = path.join(ROOT, 'bench', 'out', `results-${runName}.json`);
  if (args.includes('--report-only')) return report(JSON.parse(readFileSync(saved, 'utf8')) as RunResults, log);
  const machine = machineFacts();
  if (baselineRev) {
    appendConfig.baseline = prepareBaseline(baselineRev, log);
    const list = appendConfig.contenders ?? DEFAULT_CONTENDERS;
    if (!list.includes('idem-baseline')) appendConfig.contenders = [...list, 'idem-baseline'];
  }
  const server = await startBenchServer(log);
  const results: RunResults = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    command: `npm run ${quick ? 'bench:quick' : 'bench'}${args.length ? ` -- ${args.filter((a) => a !== '--quick').join(' ')}` : ''}`,
    machine,
    postgres: server.settings,
    appendConfig: { ...appendConfig, quiet: undefined },
    append: [],
    roundTrips: [],
    rehydration: null,
    http: null,
    profile: null,
    indexCost: null,
    notes: [],
  };
  try {
    if (!skip('append')) results.append = await runAppendBench(server, server.pgPid, appendConfig, log);
    if (!skip('profile')) results.profile = (await runProfile(server, profileConfig, log)).summaries;
    if (!skip('round-trips')) results.roundTrips = await runRoundTripBench(server, roundTripConfig, log);
    if (!skip('rehydration')) results.rehydration = await runRehydrationBench(server, rehydrationConfig, log);
    if (!skip('index-cost'))
      results.indexCost = await runIndexCost(
        server,
        quick ? { rows: 20_000, rounds: 3 } : { rows: 100_000, rounds: 5 },
        log,
      );
    if (!skip('http')) results.http = await runHttpBench(server, httpConfig, log);
  } finally {
    await server.stop();
  }
  results.seconds = (Date.now() - started) / 1000;

  mkdirSync(path.dirname(saved), { recursive: true });
  writeFileSync(saved, JSON.stringify(results, null, 2));
  report(results, log);
  log(`done in ${results.seconds.toFixed(0)} s`);
}

exitAfter(main);
