// The performance targets, judged on one run's results (ratios measured in the same run).
import type { AppendRow } from '../suites/append';
import type { HttpResult } from '../suites/http';
import type { RehydrationRowSummary } from '../suites/rehydration';
import type { RoundTripRow } from '../suites/round-trips-worker';

export type TargetInput = {
  append: AppendRow[];
  roundTrips: RoundTripRow[];
  rehydration: { rows: RehydrationRowSummary[] } | null;
  http: HttpResult | null;
};

/** `met` null: reported, not judged. `limit`: what bounds the figure (CPU per command and the like). */
export type Verdict = { target: string; measured: string; met: boolean | null; limit: string };

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

export function appendRow(
  rows: AppendRow[],
  contender: string,
  mode: string,
  concurrency: number,
): AppendRow | undefined {
  return rows.find((r) => r.contender === contender && r.mode === mode && r.concurrency === concurrency);
}

/** CPU milliseconds per operation on each side, and the operations/s two cores could sustain at that cost. */
export function cpuPerOp(a: AppendRow): { client: number; postgres: number; ceiling: number } {
  const client = (a.cpu.client / a.opsPerSecond) * 1000;
  const postgres = (a.cpu.postgres / a.opsPerSecond) * 1000;
  return { client, postgres, ceiling: 2000 / (client + postgres) };
}

const cpuText = (label: string, a: AppendRow | undefined) => {
  if (!a) return '';
  const c = cpuPerOp(a);
  return `${label} ${f(c.client, 2)} + ${f(c.postgres, 2)} ms`;
};

export function verdicts(r: TargetInput): Verdict[] {
  const out: Verdict[] = [];
  const maxC = Math.max(0, ...r.append.map((a) => a.concurrency));
  for (const [mode, vsEmmett, vsFloor] of [
    ['distinct', 1.2, 0.6],
    ['hot', 2, 0.5],
  ] as const) {
    const idem = appendRow(r.append, 'idem', mode, maxC);
    const emmett = appendRow(r.append, 'emmett-handler', mode, maxC);
    const floor = appendRow(r.append, 'pg-function', mode, maxC);
    const where = `${mode === 'distinct' ? 'Distinct streams' : 'Hot stream'}, ${maxC} writers`;
    const limit = [cpuText('CPU/command client + pg: Idem', idem), cpuText('Emmett', emmett), cpuText('floor', floor)]
      .filter(Boolean)
      .join('; ');
    if (idem && emmett) {
      const x = idem.opsPerSecond / emmett.opsPerSecond;
      out.push({
        target: `${where}: Idem ≥ ${vsEmmett}× Emmett's command handler`,
        measured: `${f(x, 2)}× (${f(idem.opsPerSecond, 0)} vs ${f(emmett.opsPerSecond, 0)} commands/s)`,
        met: x >= vsEmmett,
        limit,
      });
    }
    if (idem && floor) {
      const x = idem.opsPerSecond / floor.opsPerSecond;
      out.push({
        target: `${where}: Idem ≥ ${vsFloor * 100} % of the physical floor`,
        measured: `${f(x * 100, 0)} % (${f(idem.opsPerSecond, 0)} vs ${f(floor.opsPerSecond, 0)} commands/s)`,
        met: x >= vsFloor,
        limit,
      });
    }
    if (mode === 'hot' && idem) {
      out.push({
        target: `${where}: Idem p99 ≤ 100 ms`,
        measured: `${f(idem.latency.p99)} ms (p50 ${f(idem.latency.p50)} ms)`,
        met: idem.latency.p99 <= 100,
        limit: `one batch in flight per stream: ${maxC} closed-loop writers at ${f(idem.opsPerSecond, 0)}/s wait ${f((maxC / idem.opsPerSecond) * 1000)} ms on average; the tail is scheduling on the shared machine (other processes: ${f(idem.cpu.other, 2)} cores)`,
      });
      out.push({
        target: `${where}: zero busy answers`,
        measured: `${idem.busy} busy of ${idem.latency.count} commands`,
        met: idem.busy === 0,
        limit: '',
      });
    }
  }
  const unc = r.roundTrips.find((t) => t.scenario.startsWith('uncontended'));
  if (unc)
    out.push({
      target: 'Uncontended: ≤ 2 round trips per command',
      measured: `mean ${f(unc.perCommand.mean, 2)}, max ${unc.perCommand.max}`,
      met: unc.perCommand.mean <= 2,
      limit: 'load, commit',
    });
  const contended = r.roundTrips.filter((t) => t.scenario.startsWith('contended'));
  if (contended.length) {
    const worst = contended.reduce((a, b) => (b.perCommand.mean > a.perCommand.mean ? b : a));
    const hot = appendRow(r.append, 'idem', 'hot', maxC);
    out.push({
      target: 'Contended: ≤ 3 round trips per command on average',
      measured:
        contended.map((t) => `${t.scenario.replace('contended ', '')}: ${f(t.perCommand.mean, 2)}`).join('; ') +
        (hot ? `; benchmark 1 hot ${maxC}: ${f(hot.roundTripsPerOp, 2)}` : ''),
      met: worst.perCommand.mean <= 3 && (!hot || hot.roundTripsPerOp <= 3),
      limit: Object.entries(worst.byKind)
        .map(([k, v]) => `${k} ${f(v, 2)}`)
        .join('; '),
    });
  }
  const one = r.http?.rows.find((h) => h.instances === 1);
  if (one) {
    out.push({
      target: 'HTTP withdrawal, 1 instance: p99 ≤ 25 ms at half of peak',
      measured: `${f(one.half.latency.p99)} ms at ${f(one.half.okPerSecond, 0)}/s (peak ${f(one.peak.okPerSecond, 0)}/s)`,
      met: one.half.latency.p99 <= 25,
      limit: `CPU per request (next row); other processes took ${f(one.half.cpu.other ?? NaN, 2)} cores meanwhile`,
    });
    const split = one.cpuPerRequest;
    if (split)
      out.push({
        target: 'HTTP withdrawal, 1 instance: CPU per request split Next.js / Idem / PostgreSQL',
        measured: `${f(split.next, 2)} / ${f(split.idem, 2)} / ${f(split.postgres, 2)} ms`,
        met: null,
        limit: split.method,
      });
  }
  if (r.rehydration) {
    const withSnap = r.rehydration.rows.filter((x) => x.snapshots);
    const shortest = withSnap.reduce((a, b) => (b.length < a.length ? b : a), withSnap[0]!);
    const longest = withSnap.reduce((a, b) => (b.length > a.length ? b : a), withSnap[0]!);
    if (shortest && longest && shortest !== longest) {
      const x = longest.latency.p50 / shortest.latency.p50;
      out.push({
        target: `(earlier target, kept) latency at ${longest.length} events ≤ 1.25× at ${shortest.length} (snapshots, p50)`,
        measured: `${f(x, 2)}× (${f(longest.latency.p50, 2)} vs ${f(shortest.latency.p50, 2)} ms)`,
        met: x <= 1.25,
        limit: '',
      });
    }
  }
  return out;
}
