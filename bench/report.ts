// RESULTS.md and the SVG charts from one run's results.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTENDER_LABEL, CONTENDERS, type AppendRow } from './append';
import type { HttpResult } from './http';
import type { RoundTripRow } from './round-trips-worker';
import type { RehydrationRowSummary } from './rehydration';
import type { LoadPlan } from './rehydration-worker';
import { barChart } from './svg';

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
};

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

export function appendRow(rows: AppendRow[], contender: string, mode: string, concurrency: number): AppendRow | undefined {
  return rows.find((r) => r.contender === contender && r.mode === mode && r.concurrency === concurrency);
}

/** CPU milliseconds per append on each side, and the appends/s two cores could sustain at that cost. */
export function cpuPerOp(a: AppendRow): { client: number; postgres: number; ceiling: number } {
  const client = (a.cpu.client / a.opsPerSecond) * 1000;
  const postgres = (a.cpu.postgres / a.opsPerSecond) * 1000;
  return { client, postgres, ceiling: 2000 / (client + postgres) };
}

export type Verdict = { target: string; measured: string; met: boolean | null };

export function verdicts(r: RunResults): Verdict[] {
  const out: Verdict[] = [];
  const maxC = Math.max(...r.append.map((a) => a.concurrency));
  const idem = appendRow(r.append, 'idem', 'distinct', maxC);
  const emmett = appendRow(r.append, 'emmett', 'distinct', maxC);
  const raw = appendRow(r.append, 'raw', 'distinct', maxC);
  if (idem && emmett) {
    const x = ratio(idem.opsPerSecond, emmett.opsPerSecond);
    out.push({
      target: `Idem ≥ 1.5× Emmett at ${maxC} writers (distinct streams)`,
      measured: `${f(x, 2)}× (${f(idem.opsPerSecond, 0)} vs ${f(emmett.opsPerSecond, 0)} appends/s)`,
      met: x >= 1.5,
    });
  }
  if (idem && raw) {
    const x = ratio(idem.opsPerSecond, raw.opsPerSecond);
    out.push({
      target: `Idem ≥ 60 % of the raw pg floor at ${maxC} writers`,
      measured: `${f(x * 100, 0)} % (${f(idem.opsPerSecond, 0)} vs ${f(raw.opsPerSecond, 0)} appends/s)`,
      met: x >= 0.6,
    });
  }
  const unc = r.roundTrips.find((t) => t.scenario.startsWith('uncontended'));
  const worstContended = r.roundTrips.filter((t) => t.scenario.startsWith('contended')).sort((a, b) => b.perCommand.mean - a.perCommand.mean)[0];
  if (unc) {
    out.push({
      target: '≤ 5 round trips per command (uncontended)',
      measured: `${f(unc.perCommand.mean, 2)} (max ${unc.perCommand.max})`,
      met: unc.perCommand.max <= 5,
    });
  }
  if (worstContended) {
    out.push({
      target: '≤ 5 round trips per command (contended)',
      measured: `mean ${f(worstContended.perCommand.mean, 2)}, p50 ${worstContended.perCommand.p50}, max ${worstContended.perCommand.max} (${worstContended.scenario})`,
      met: worstContended.perCommand.mean <= 5,
    });
  }
  if (r.http) {
    const worst = [...r.http.rows].sort((a, b) => b.half.latency.p99 - a.half.latency.p99)[0];
    if (worst)
      out.push({
        target: 'HTTP withdrawal p99 ≤ 50 ms at half of peak',
        measured: r.http.rows.map((h) => `${h.instances} inst.: ${f(h.half.latency.p99)} ms`).join('; '),
        met: worst.half.latency.p99 <= 50,
      });
  }
  if (r.rehydration) {
    const withSnap = r.rehydration.rows.filter((x) => x.snapshots);
    const shortest = withSnap.reduce((a, b) => (b.length < a.length ? b : a), withSnap[0]!);
    const longest = withSnap.reduce((a, b) => (b.length > a.length ? b : a), withSnap[0]!);
    if (shortest && longest && shortest !== longest) {
      const x = ratio(longest.latency.p50, shortest.latency.p50);
      out.push({
        target: `latency at ${longest.length} events ≤ 1.25× at ${shortest.length} (snapshots, p50)`,
        measured: `${f(x, 2)}× (${f(longest.latency.p50, 2)} vs ${f(shortest.latency.p50, 2)} ms)`,
        met: x <= 1.25,
      });
    }
  }
  return out;
}

export function writeCharts(r: RunResults, dir: string, prefix = ''): string[] {
  const files: string[] = [];
  const save = (name: string, svg: string) => {
    writeFileSync(path.join(dir, prefix + name), svg);
    files.push(prefix + name);
  };
  const modes = [...new Set(r.append.map((a) => a.mode))];
  const cs = [...new Set(r.append.map((a) => a.concurrency))].sort((a, b) => a - b);
  const groups = modes.flatMap((m) => cs.map((c) => ({ m, c })));
  const present = CONTENDERS.filter((c) => r.append.some((a) => a.contender === c));
  const series = (value: (a: AppendRow) => number) =>
    present.map((c) => ({
      name: CONTENDER_LABEL[c],
      values: groups.map((g) => {
        const a = appendRow(r.append, c, g.m, g.c);
        return a ? value(a) : null;
      }),
    }));
  if (r.append.length) {
    save(
      'append-throughput.svg',
      barChart({
        title: 'Appends per second (1 event per append; median of repetitions)',
        yLabel: 'appends/s',
        groups: groups.map((g) => `${g.m}, ${g.c} writer${g.c > 1 ? 's' : ''}`),
        series: series((a) => a.opsPerSecond),
        format: (v) => v.toFixed(0),
      }),
    );
    save(
      'append-latency-p99.svg',
      barChart({
        title: 'Append latency p99 (ms, log scale)',
        yLabel: 'ms',
        groups: groups.map((g) => `${g.m}, ${g.c}`),
        series: series((a) => a.latency.p99),
        log: true,
      }),
    );
  }
  if (r.rehydration) {
    const lengths = [...new Set(r.rehydration.rows.map((x) => x.length))].sort((a, b) => a - b);
    const pick = (snap: boolean) => lengths.map((l) => r.rehydration!.rows.find((x) => x.length === l && x.snapshots === snap)?.latency.p50 ?? null);
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
  L.push(`Generated by \`${r.command}\` on ${r.startedAt} in ${f(r.seconds / 60, 1)} min. Timings are measured, never asserted.`, '');
  L.push('## Machine', '');
  for (const [k, v] of Object.entries(r.machine)) L.push(`- ${k}: ${v}`);
  L.push(
    `- PostgreSQL: ${Object.entries(r.postgres)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    '',
  );
  L.push('## Targets', '', '| target | measured | verdict |', '| --- | --- | --- |');
  for (const v of verdicts(r)) L.push(`| ${v.target} | ${v.measured} | ${v.met === null ? '–' : v.met ? 'met' : '**missed**'} |`);
  L.push('');
  if (analysis) L.push(analysis.trim(), '');

  if (r.append.length) {
    L.push('## 1. Append path', '');
    L.push(
      `Closed loop, one pooled connection per writer, ${JSON.stringify(r.appendConfig)}. Throughput is the median over repetitions (each in a fresh process per contender, contenders interleaved); latency percentiles come from the merged HDR histograms of all repetitions. "cpu" is cores used during the measured window by PostgreSQL / the client process / everything else on the machine (other users).`,
      '',
    );
    for (const img of charts.filter((c) => c.startsWith('append') || c.includes('append'))) L.push(`![${img}](${img})`);
    L.push('');
    L.push(
      '"CPU ms/append" divides the cores each side used by the appends per second: CPU time is far less disturbed by other load than wall time, so it is the steadier figure on a shared machine, and 2 cores ÷ (client + PostgreSQL CPU per append) is the CPU-bound ceiling of that contender on this machine with nothing else running.',
      '',
    );
    L.push(
      '| streams | writers | contender | appends/s (median) | per rep | p50 ms | p95 ms | p99 ms | conflicts/append | failed | round trips/append | cores pg / client / other | CPU ms/append client + pg | 2-core ceiling /s |',
      '| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |',
    );
    for (const a of [...r.append].sort(
      (x, y) => x.mode.localeCompare(y.mode) || x.concurrency - y.concurrency || CONTENDERS.indexOf(x.contender) - CONTENDERS.indexOf(y.contender),
    )) {
      const c = cpuPerOp(a);
      L.push(
        `| ${a.mode} | ${a.concurrency} | ${CONTENDER_LABEL[a.contender]} | ${f(a.opsPerSecond, 0)} | ${a.perRep.map((v) => v.toFixed(0)).join(' / ')} | ${f(a.latency.p50, 2)} | ${f(a.latency.p95, 2)} | ${f(a.latency.p99, 2)} | ${f(a.conflictsPerOp, 3)} | ${a.failed} | ${f(a.roundTripsPerOp, 2)} | ${f(a.cpu.postgres, 2)} / ${f(a.cpu.client, 2)} / ${f(a.cpu.other, 2)} | ${f(c.client, 2)} + ${f(c.postgres, 2)} | ${f(c.ceiling, 0)} |`,
      );
    }
    L.push(
      '',
      'Ratios between contenders (same run, medians):',
      '',
      '| streams | writers | Idem / Emmett | Idem / raw pg | Emmett / raw pg | Idem / Idem snapshotEvery 100 | Idem / Idem unprepared |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const mode of [...new Set(r.append.map((a) => a.mode))]) {
      for (const c of [...new Set(r.append.map((a) => a.concurrency))].sort((x, y) => x - y)) {
        const i = appendRow(r.append, 'idem', mode, c)?.opsPerSecond ?? NaN;
        const e = appendRow(r.append, 'emmett', mode, c)?.opsPerSecond ?? NaN;
        const w = appendRow(r.append, 'raw', mode, c)?.opsPerSecond ?? NaN;
        const i100 = appendRow(r.append, 'idem-snap100', mode, c)?.opsPerSecond ?? NaN;
        const iu = appendRow(r.append, 'idem-unprepared', mode, c)?.opsPerSecond ?? NaN;
        L.push(`| ${mode} | ${c} | ${f(ratio(i, e), 2)} | ${f(ratio(i, w), 2)} | ${f(ratio(e, w), 2)} | ${f(ratio(i, i100), 2)} | ${f(ratio(i, iu), 2)} |`);
      }
    }
    L.push('');
  }

  if (r.roundTrips.length) {
    L.push('## 2. Round trips per command', '');
    L.push(
      'Every `query` call of a pg Client subclass (one protocol round trip) given to the pool, attributed to the command that sent it (AsyncLocalStorage; pool size ≥ writers, so no caller waits for a connection). `pg_stat_statements` counts what the server executed successfully (statements that fail with a unique violation are not recorded there, hence lower numbers under contention).',
      '',
    );
    L.push(
      '| scenario | commands | mean | p50 | max | pg_stat_statements | conflicts | busy | by kind (per command) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const t of r.roundTrips) {
      const kinds = Object.entries(t.byKind)
        .map(([k, v]) => `${k} ${f(v, 2)}`)
        .join('; ');
      L.push(
        `| ${t.scenario} | ${t.commands} | ${f(t.perCommand.mean, 2)} | ${t.perCommand.p50} | ${t.perCommand.max} | ${t.pgStatStatements === null ? '–' : f(t.pgStatStatements, 2)} | ${t.conflicts} | ${t.busy} | ${kinds} |`,
      );
    }
    L.push(
      '',
      `Per append in benchmark 1 (all contenders, ${maxC} writers, hot stream): ` +
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
    L.push('## 3. Rehydration: command latency by stream length', '');
    L.push(
      'One writer, sequential deposits/withdrawals on a seeded stream (bulk SQL: valid events, commands, projections). "with snapshots": a snapshot row 10 events behind the head, handler run with the production snapshot interval (it writes new snapshots as the stream crosses multiples of it). "without": snapshotEvery 0, the whole stream is loaded and folded.',
      '',
    );
    for (const img of charts.filter((c) => c.includes('rehydration'))) L.push(`![${img}](${img})`);
    L.push('', '| events | snapshots | samples | p50 ms | p95 ms | p99 ms | seed s |', '| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
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
    for (const p of r.rehydration.plans) L.push(`| ${p.label} | ${p.length.toLocaleString('en-US')} | ${f(p.executionMs, 3)} | ${f(p.medianMs, 3)} |`);
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

  if (r.http) {
    L.push('## 4. HTTP withdrawals through `next start`', '');
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
