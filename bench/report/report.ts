// RESULTS.md and the SVG charts from one run's results.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BLIND, CONTENDER_LABEL, CONTENDERS, SAME_JOB, type AppendRow } from '../suites/append';
import type { HttpResult } from '../suites/http';
import type { RoundTripRow } from '../suites/round-trips-worker';
import type { RehydrationRowSummary } from '../suites/rehydration';
import type { LoadPlan } from '../suites/rehydration-worker';
import { flameGraph } from './flame';
import { renderProfile, type ProfileSummary } from '../suites/profile';
import type { IndexCostRow } from '../suites/index-cost';
import { barChart } from './svg';
import { appendRow, cpuPerOp, verdicts } from './targets';

export { verdicts };

export type RunResults = {
  mode: 'quick' | 'full';
  startedAt: string;
  seconds: number;
  command: string;
  machine: Record<string, string>;
  postgres: Record<string, string>;
  appendConfig: Record<string, unknown>;
  append: AppendRow[];
  roundTrips: RoundTripRow[];
  rehydration: { rows: RehydrationRowSummary[]; plans: LoadPlan[] } | null;
  http: HttpResult | null;
  notes: string[];
  /** Client-side CPU profiles of the Idem contender (bench/suites/profile.ts), when run. */
  profile?: ProfileSummary[] | null;
  /** PostgreSQL CPU per event insert with and without the admin-only indexes (bench/suites/index-cost.ts). */
  indexCost?: IndexCostRow[] | null;
};

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const baselineRev = (r: RunResults) => (r.appendConfig.baseline as { rev?: string; commit?: string } | undefined)?.rev;
const variantName = (r: RunResults) =>
  r.appendConfig.variant as { name?: string; env?: Record<string, string> } | undefined;
const label = (r: RunResults, c: AppendRow['contender']) => {
  if (c === 'idem-baseline') return `Idem at ${baselineRev(r) ?? 'the baseline'}`;
  const v = variantName(r);
  if (c === 'idem-variant' && v)
    return `Idem, ${v.name} (${Object.entries(v.env ?? {})
      .map(([k, x]) => `${k}=${x}`)
      .join(', ')})`;
  return CONTENDER_LABEL[c];
};
const byCell = (x: AppendRow, y: AppendRow) =>
  x.mode.localeCompare(y.mode) ||
  x.concurrency - y.concurrency ||
  CONTENDERS.indexOf(x.contender) - CONTENDERS.indexOf(y.contender);

export function writeCharts(r: RunResults, dir: string, prefix = ''): string[] {
  const files: string[] = [];
  const save = (name: string, svg: string) => {
    writeFileSync(path.join(dir, prefix + name), svg);
    files.push(prefix + name);
  };
  const modes = [...new Set(r.append.map((a) => a.mode))];
  const cs = [...new Set(r.append.map((a) => a.concurrency))].sort((a, b) => a - b);
  const groups = modes.flatMap((m) => cs.map((c) => ({ m, c })));
  const series = (names: typeof CONTENDERS, value: (a: AppendRow) => number) =>
    names
      .filter((c) => r.append.some((a) => a.contender === c))
      .map((c) => ({
        name: label(r, c),
        values: groups.map((g) => {
          const a = appendRow(r.append, c, g.m, g.c);
          return a ? value(a) : null;
        }),
      }));
  const labels = groups.map((g) => `${g.m}, ${g.c} writer${g.c > 1 ? 's' : ''}`);
  if (r.append.some((a) => SAME_JOB.includes(a.contender))) {
    save(
      'same-job-throughput.svg',
      barChart({
        title: 'The same job: commands per second (median of repetitions)',
        yLabel: 'commands/s',
        groups: labels,
        series: series(SAME_JOB, (a) => a.opsPerSecond),
        format: (v) => v.toFixed(0),
      }),
    );
    save(
      'same-job-latency-p99.svg',
      barChart({
        title: 'The same job: latency p99 (ms, log scale)',
        yLabel: 'ms',
        groups: labels,
        series: series(SAME_JOB, (a) => a.latency.p99),
        log: true,
      }),
    );
    const maxC = Math.max(...cs);
    const present = SAME_JOB.filter((c) => r.append.some((a) => a.contender === c));
    const cells = modes.flatMap((m) => present.map((c) => ({ m, c })));
    const cpu = (side: 'client' | 'postgres') =>
      cells.map(({ m, c }) => {
        const a = appendRow(r.append, c, m, maxC);
        return a ? cpuPerOp(a)[side] : null;
      });
    save(
      'same-job-cpu.svg',
      barChart({
        title: `CPU ms per command at ${maxC} writers: client and PostgreSQL`,
        yLabel: 'ms per command',
        groups: cells.map(({ m, c }) => `${m}: ${CONTENDER_LABEL[c].split(' (')[0]}`),
        series: [
          { name: 'client', values: cpu('client') },
          { name: 'PostgreSQL', values: cpu('postgres') },
        ],
      }),
    );
  }
  if (r.append.some((a) => BLIND.includes(a.contender))) {
    save(
      'blind-append-throughput.svg',
      barChart({
        title: 'Reference: blind appends per second (no read, no decision)',
        yLabel: 'appends/s',
        groups: labels,
        series: series(BLIND, (a) => a.opsPerSecond),
        format: (v) => v.toFixed(0),
      }),
    );
  }
  for (const p of r.profile ?? []) {
    save(
      `client-flame-${p.cell.mode}-${p.cell.concurrency}.svg`,
      flameGraph(
        p.folded,
        `Idem client CPU, ${p.cell.mode} streams, ${p.cell.concurrency} writers (red: Idem, purple: Prisma, blue: pg, green: Node.js)`,
      ),
    );
  }
  if (r.rehydration) {
    const lengths = [...new Set(r.rehydration.rows.map((x) => x.length))].sort((a, b) => a - b);
    const pick = (snap: boolean) =>
      lengths.map((l) => r.rehydration!.rows.find((x) => x.length === l && x.snapshots === snap)?.latency.p50 ?? null);
    save(
      'rehydration.svg',
      barChart({
        title: 'Command latency p50 by stream length (ms, log scale)',
        yLabel: 'ms',
        groups: lengths.map((l) => `${l.toLocaleString('en-US')} events`),
        series: [
          { name: 'with snapshots', values: pick(true) },
          { name: 'without snapshots', values: pick(false) },
        ],
        log: true,
      }),
    );
  }
  if (r.http) {
    const g = r.http.rows.map((h) => `${h.instances} instance${h.instances > 1 ? 's' : ''}`);
    save(
      'http-throughput.svg',
      barChart({
        title: 'HTTP withdrawals: peak 201/s and half-of-peak rate',
        yLabel: 'requests/s',
        groups: g,
        series: [
          { name: 'peak', values: r.http.rows.map((h) => h.peak.okPerSecond) },
          { name: 'half-of-peak run', values: r.http.rows.map((h) => h.half.okPerSecond) },
        ],
        format: (v) => v.toFixed(0),
      }),
    );
    save(
      'http-latency.svg',
      barChart({
        title: 'HTTP withdrawal latency at half of peak (ms)',
        yLabel: 'ms',
        groups: g,
        series: [
          { name: 'p50', values: r.http.rows.map((h) => h.half.latency.p50) },
          { name: 'p95', values: r.http.rows.map((h) => h.half.latency.p95) },
          { name: 'p99', values: r.http.rows.map((h) => h.half.latency.p99) },
        ],
      }),
    );
  }
  return files;
}

export function renderMarkdown(r: RunResults, charts: string[], analysis: string): string {
  const L: string[] = [];
  const maxC = Math.max(...r.append.map((a) => a.concurrency), 0);
  L.push(`# Idem benchmark results (${r.mode} mode)`, '');
  L.push(
    `Generated by \`${r.command}\` on ${r.startedAt} in ${f(r.seconds / 60, 1)} min. Timings are measured, never asserted.`,
    '',
  );
  L.push('## Machine', '');
  for (const [k, v] of Object.entries(r.machine)) L.push(`- ${k}: ${v}`);
  L.push(
    `- PostgreSQL: ${Object.entries(r.postgres)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    '',
  );
  L.push('## Targets', '', '| target | measured | verdict | what bounds it |', '| --- | --- | --- | --- |');
  for (const v of verdicts(r))
    L.push(
      `| ${v.target} | ${v.measured} | ${v.met === null ? 'reported' : v.met ? 'met' : '**missed**'} | ${v.limit} |`,
    );
  L.push('');
  if (analysis) L.push(analysis.trim(), '');

  if (r.append.length) {
    L.push('## 1. The same job', '');
    L.push(
      `"Withdraw one cent from account A if its balance allows, exactly once per command id", alternating with deposits of one cent so balances stay put (bench/contenders/job.ts); a fresh command id per command. Distinct streams: one account per writer; hot: all writers on one account. Closed loop, one pooled connection per writer, ${JSON.stringify(r.appendConfig)}. Throughput is the median over repetitions (each in a fresh process per contender, contenders interleaved); latency percentiles come from the merged HDR histograms of all repetitions.`,
      '',
    );
    L.push(
      '- **Idem**: the production path (`handleAccountCommand` through bench/idem-adapter.ts, production pool and settings): load, decide, one-statement commit of command row + event + balance + transaction row (+ a snapshot every 10th event).',
    );
    L.push(
      "- **Emmett CommandHandler**: `CommandHandler` from @event-driven-io/emmett with the same pure decider (lib/accounts/domain/account.ts) over `getPostgreSQLEventStore`: read the whole stream, fold, decide, append with the expected version, its own retry on conflict (given Idem's budget: 30 attempts, 2 → 100 ms backoff). **It has no deduplication**: a repeated command id is applied again; it writes the events only (no command row, no projections).",
    );
    L.push(
      "- **pg optimistic floor**: hand-written with plain `pg` on Idem's tables: two prepared statements (load command row + balance row; one-statement commit of the same four rows), unique constraints decide, re-decide after a backoff.",
    );
    L.push(
      "- **physical floor**: the job in one round trip, a PL/pgSQL function on Idem's tables (lock the balance row, check the command id, check funds, write the same four rows).",
      '',
    );
    for (const img of charts.filter((c) => c.startsWith('same-job') || c.includes('-same-job')))
      L.push(`![${img}](${img})`);
    L.push('');
    L.push(
      '"CPU ms/command" divides the cores each side used by the commands per second (client = the contender\'s Node process, pg = all PostgreSQL processes): the steadier figure on a shared machine; 2 cores ÷ (client + pg) is the CPU-bound ceiling on this machine with nothing else running. "stream length" is the longest stream at the end of a repetition (Emmett folds the whole stream on every command; Idem folds at most 9 events after a snapshot; the floors read one balance row). "exactly-once check": streams whose growth differs from the number of commands that reported success (0 expected).',
      '',
    );
    const header =
      '| streams | writers | contender | commands/s (median) | per rep | p50 ms | p95 ms | p99 ms | conflicts/command | failed | busy | round trips/command | stream length | cores pg / client / other | CPU ms/command client + pg | 2-core ceiling /s | exactly-once check | client RSS MiB |';
    const rule =
      '| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: |';
    const row = (a: AppendRow) => {
      const c = cpuPerOp(a);
      return `| ${a.mode} | ${a.concurrency} | ${label(r, a.contender)} | ${f(a.opsPerSecond, 0)} | ${a.perRep.map((v) => v.toFixed(0)).join(' / ')} | ${f(a.latency.p50, 2)} | ${f(a.latency.p95, 2)} | ${f(a.latency.p99, 2)} | ${f(a.conflictsPerOp, 3)} | ${a.failed} | ${a.busy} | ${f(a.roundTripsPerOp, 2)} | ${a.streamLength.max.toLocaleString('en-US')} | ${f(a.cpu.postgres, 2)} / ${f(a.cpu.client, 2)} / ${f(a.cpu.other, 2)} | ${f(c.client, 2)} + ${f(c.postgres, 2)} | ${f(c.ceiling, 0)} | ${a.lengthMismatches === 0 ? 'ok' : `**${a.lengthMismatches} mismatched**`} | ${f(a.rssMiB, 0)} |`;
    };
    L.push(
      header,
      rule,
      ...r.append
        .filter((a) => SAME_JOB.includes(a.contender))
        .sort(byCell)
        .map(row),
      '',
    );
    const withBaseline = r.append.some((a) => a.contender === 'idem-baseline');
    L.push(
      'Ratios (same run, medians of commands/s):',
      '',
      `| streams | writers | Idem / Emmett handler | Idem / pg optimistic floor | Idem / physical floor | Emmett handler / physical floor | pg optimistic / physical floor |${withBaseline ? ` Idem / Idem at ${baselineRev(r)} |` : ''}`,
      `| --- | ---: | ---: | ---: | ---: | ---: | ---: |${withBaseline ? ' ---: |' : ''}`,
    );
    for (const mode of [...new Set(r.append.map((a) => a.mode))]) {
      for (const c of [...new Set(r.append.map((a) => a.concurrency))].sort((x, y) => x - y)) {
        const ops = (name: string) => appendRow(r.append, name, mode, c)?.opsPerSecond ?? NaN;
        L.push(
          `| ${mode} | ${c} | ${f(ratio(ops('idem'), ops('emmett-handler')), 2)} | ${f(ratio(ops('idem'), ops('pg-optimistic')), 2)} | ${f(ratio(ops('idem'), ops('pg-function')), 2)} | ${f(ratio(ops('emmett-handler'), ops('pg-function')), 2)} | ${f(ratio(ops('pg-optimistic'), ops('pg-function')), 2)} |${withBaseline ? ` ${f(ratio(ops('idem'), ops('idem-baseline')), 2)} |` : ''}`,
        );
      }
    }
    L.push('');
    const blind = r.append.filter((a) => BLIND.includes(a.contender));
    if (blind.length) {
      L.push('### Reference: blind appends (not the job)', '');
      L.push(
        "One MoneyDeposited event of the same shape per append, no read, no decision, no command row, no projections: raw `pg` (`BEGIN; INSERT; COMMIT`, the table of our shape without the foreign key to commands) and Emmett's `appendToStream` with an expected version. Each writer re-reads the version after a conflict and retries with Idem's backoff. Kept to show what the storage alone costs; comparing the job against these is comparing unequal work.",
        '',
      );
      for (const img of charts.filter((c) => c.includes('blind-append'))) L.push(`![${img}](${img})`);
      L.push(
        '',
        header.replace(/commands/g, 'appends').replace(/command/g, 'append'),
        rule,
        ...blind.sort(byCell).map(row),
        '',
      );
    }
  }

  if (r.profile?.length)
    L.push(
      ...renderProfile(
        r.profile,
        charts.filter((c) => c.includes('flame')),
      ),
      '',
    );

  if (r.roundTrips.length) {
    L.push('## 3. Round trips per command', '');
    L.push(
      'Every `query` call of a pg Client subclass (one protocol round trip) given to the pool, attributed to the command that sent it (AsyncLocalStorage; pool size ≥ writers, so no caller waits for a connection). `pg_stat_statements` counts what the server executed successfully (statements that fail with a unique violation are not recorded there, hence lower numbers under contention).',
      '',
    );
    L.push(
      '"planned per run": how often PostgreSQL planned the engine\'s load / commit statement per execution (`pg_stat_statements.track_planning`); a prepared statement whose generic plan PostgreSQL accepts is planned about five times per connection, then never.',
      '',
    );
    L.push(
      '| scenario | commands | mean | p50 | max | pg_stat_statements | planned per run: load / commit | conflicts | busy | by kind (per command) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |',
    );
    for (const t of r.roundTrips) {
      const kinds = Object.entries(t.byKind)
        .map(([k, v]) => `${k} ${f(v, 2)}`)
        .join('; ');
      L.push(
        `| ${t.scenario} | ${t.commands} | ${f(t.perCommand.mean, 2)} | ${t.perCommand.p50} | ${t.perCommand.max} | ${t.pgStatStatements === null ? '–' : f(t.pgStatStatements, 2)} | ${t.planned ? `${f(t.planned.load ?? NaN, 2)} / ${f(t.planned.commit ?? NaN, 2)}` : '–'} | ${t.conflicts} | ${t.busy} | ${kinds} |`,
      );
    }
    L.push(
      '',
      `Per command in benchmark 1 (${maxC} writers, hot stream): ` +
        CONTENDERS.map((c) => {
          const a = appendRow(r.append, c, 'hot', maxC);
          return a ? `${CONTENDER_LABEL[c]} ${f(a.roundTripsPerOp, 2)}` : '';
        })
          .filter(Boolean)
          .join(', ') +
        '.',
      '',
    );
  }

  if (r.rehydration) {
    L.push('## 4. Rehydration: command latency by stream length', '');
    L.push(
      'One writer, sequential deposits/withdrawals on a seeded stream (bulk SQL: valid events, commands, projections). "with snapshots": a snapshot row 10 events behind the head, handler run with the production snapshot interval (it writes new snapshots as the stream crosses multiples of it). "without": snapshotEvery 0, the whole stream is loaded and folded.',
      '',
    );
    for (const img of charts.filter((c) => c.includes('rehydration'))) L.push(`![${img}](${img})`);
    L.push(
      '',
      '| events | snapshots | samples | p50 ms | p95 ms | p99 ms | seed s |',
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const x of r.rehydration.rows)
      L.push(
        `| ${x.length.toLocaleString('en-US')} | ${x.snapshots ? 'yes' : 'no'} | ${x.samples} | ${f(x.latency.p50, 2)} | ${f(x.latency.p95, 2)} | ${f(x.latency.p99, 2)} | ${f(x.seedSeconds, 1)} |`,
      );
    L.push(
      '',
      'The load statement on the shortest and the longest stream (with a snapshot), as the handler sent it, run directly with pg:',
      '',
      '| statement | events in stream | EXPLAIN ANALYZE execution ms | median wall ms (30 runs) |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const p of r.rehydration.plans)
      L.push(`| ${p.label} | ${p.length.toLocaleString('en-US')} | ${f(p.executionMs, 3)} | ${f(p.medianMs, 3)} |`);
    const longest = r.rehydration.plans.at(-1);
    if (longest)
      L.push(
        '',
        `<details><summary>Plan of the load statement at ${longest.length.toLocaleString('en-US')} events</summary>`,
        '',
        '```',
        longest.plan,
        '```',
        '',
        '</details>',
      );
    L.push('');
  }

  if (r.indexCost?.length) {
    L.push('## 5. Index maintenance on `events`', '');
    L.push(
      "PostgreSQL CPU per inserted event (the backend's own CPU ticks, so other work on the machine hardly moves it), bulk inserts of events of the benchmark's shape into a table of the `events` shape with each set of indexes, rounds interleaved, median:",
      '',
    );
    L.push('| indexes | CPU µs per event | per round |', '| --- | ---: | --- |');
    for (const x of r.indexCost)
      L.push(
        `| ${x.variant}: ${x.indexes} | ${f(x.cpuUsPerEvent, 1)} | ${x.perRound.map((v) => v.toFixed(1)).join(' / ')} |`,
      );
    L.push('');
  }

  if (r.http) {
    L.push('## 6. HTTP withdrawals through `next start`', '');
    L.push(
      `POST /api/accounts/{id}/withdrawals {"amount":"0.01"} with a unique Idempotency-Key per request, on random accounts, peak: autocannon in the bench process (closed loop, the best of the connection counts tried); half of peak: an open-loop generator at a steady rate (one request every 1/rate s, round-robin over the instances, latency counted from when each request was due, so queueing is included). Production build of the work tree (content ${r.http.buildStamp}), DATABASE_POOL_SIZE ${r.http.poolSize} per instance, each instance also runs its async projection runner. RSS = VmRSS of the next-server process.`,
      '',
    );
    for (const img of charts.filter((c) => c.includes('http'))) L.push(`![${img}](${img})`);
    L.push(
      '',
      '| instances | peak 201/s | peak at connections | p50 / p99 at peak ms | half-of-peak rate | achieved 201/s | p50 ms | p95 ms | p99 ms | errors | RSS idle MiB | RSS max MiB | cpu pg / app / loadgen / other at peak |',
      '| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |',
    );
    for (const h of r.http.rows) {
      const c = h.peak.cpu;
      L.push(
        `| ${h.instances} | ${f(h.peak.okPerSecond, 0)} | ${h.peak.connections} | ${f(h.peak.latency.p50)} / ${f(h.peak.latency.p99)} | ${h.half.rate} | ${f(h.half.okPerSecond, 0)} | ${f(h.half.latency.p50)} | ${f(h.half.latency.p95)} | ${f(h.half.latency.p99)} | ${h.half.errors + h.peak.errors} | ${h.rssIdleMiB.map((m) => m.toFixed(0)).join(', ')} | ${h.rssMaxMiB.map((m) => m.toFixed(0)).join(', ')} | ${f(c.postgres ?? NaN, 2)} / ${f(c.app ?? NaN, 2)} / ${f(c.loadgen ?? NaN, 2)} / ${f(c.other ?? NaN, 2)} |`,
      );
    }
    L.push('');
  }
  if (r.notes.length) L.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return L.join('\n');
}
