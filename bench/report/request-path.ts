// Markdown for benchmark 6 (bench/suites/request-path.ts): throughput as ratios to the health route
// of the same run, the targets' verdicts, p99 at half of peak, CPU per request, storage per command.
import { describeStalls } from '../measurement/stalls';
import { KINDS, KIND_LABEL, medianHalf, type Kind, type RequestPathResult } from '../suites/request-path';

const TARGETS: { kind: Kind; min: number }[] = [
  { kind: 'deposit', min: 0.6 },
  { kind: 'withdraw', min: 0.6 },
  { kind: 'get', min: 0.7 },
  { kind: 'action', min: 0.5 },
  { kind: 'action-js', min: 0.5 },
];
const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function renderRequestPath(r: RequestPathResult, command: string): string {
  const variants = Object.keys(r.best);
  const last = variants.at(-1)!;
  const L: string[] = [];
  L.push(
    `Command: \`${command}\`; load average at start ${r.load}. Best of ${Math.max(...r.runs.map((x) => x.rep))} interleaved repetitions per kind and variant.`,
    '',
  );
  L.push('| target | measured | verdict |', '| --- | --- | --- |');
  for (const t of TARGETS) {
    const ratio = r.ratios[last]![t.kind];
    L.push(
      `| ${KIND_LABEL[t.kind]} ≥ ${t.min}× health | ${fixed(ratio, 2)}× (${fixed(r.best[last]![t.kind])} vs ${fixed(r.best[last]!.health)}/s) | ${ratio >= t.min ? 'met' : 'missed'} |`,
    );
  }
  for (const kind of KINDS.filter((k) => k !== 'health')) {
    const h = medianHalf(r.half, kind);
    if (!h) continue;
    const p = h.median;
    const all = h.reps.length > 1 ? `; repetitions ${h.reps.map((x) => fixed(x.latency.p99, 1)).join(' / ')} ms` : '';
    L.push(
      `| ${KIND_LABEL[kind]}: p99 ≤ 25 ms at half of peak | ${fixed(p.latency.p99, 1)} ms at ${p.rate}/s (p50 ${fixed(p.latency.p50, 1)} ms${h.reps.length > 1 ? `, the median of ${h.reps.length}` : ''}${all}) | ${p.latency.p99 <= 25 ? 'met' : 'missed'} |`,
    );
  }
  if (r.storage)
    L.push(
      `| storage ≤ 1 KB per command | ${fixed(r.storage.bytesPerCommand)} bytes (${r.storage.commands} commands) | ${r.storage.bytesPerCommand <= 1024 ? 'met' : 'missed'} |`,
    );
  const floor = r.cpuPerRequest[last]?.['post-floor'];
  const idem = (k: Kind) => r.cpuPerRequest[last]![k];
  if (floor && Number.isFinite(r.ratios[last]!['post-floor'])) {
    L.push(
      '',
      `Next.js's own floor for a POST of a command's shape (a dynamic path, the commands' headers and JSON body; a route only the benchmark's build has, nothing of Idem on its way): ` +
        `${fixed(r.ratios[last]!['post-floor'], 2)}× health, ${fixed(floor.app, 2)} ms of app CPU per request. ` +
        `Beyond it, per API command: deposit ${fixed(idem('deposit').app - floor.app, 2)} ms of app CPU and ${fixed(idem('deposit').postgres, 2)} ms of PostgreSQL, ` +
        `withdrawal ${fixed(idem('withdraw').app - floor.app, 2)} ms and ${fixed(idem('withdraw').postgres, 2)} ms.`,
    );
  }
  const actionFloor = r.cpuPerRequest[last]?.['action-floor'];
  if (actionFloor && Number.isFinite(r.ratios[last]!['action-floor']))
    L.push(
      '',
      `Next.js's own floor for a server action called by a page's script (the Withdraw call's body and headers, an action that reads the form and answers a small state; a page only the benchmark's build has, nothing of Idem on its way): ` +
        `${fixed(r.ratios[last]!['action-floor'], 2)}× health, ${fixed(actionFloor.app, 2)} ms of app CPU per request. ` +
        `Beyond it, the Withdraw action called by the account page: ${fixed(idem('action-js').app - actionFloor.app, 2)} ms of app CPU and ${fixed(idem('action-js').postgres, 2)} ms of PostgreSQL.`,
    );
  L.push('', `### Throughput (requests/s, best repetition) and ratio to the health route`, '');
  L.push(`| request | ${variants.map((v) => `${v} req/s | ${v} ×health`).join(' | ')} |`);
  L.push(`| --- | ${variants.map(() => '--- | ---').join(' | ')} |`);
  for (const k of KINDS)
    L.push(
      `| ${KIND_LABEL[k]} | ${variants.map((v) => `${fixed(r.best[v]![k])} | ${fixed(r.ratios[v]![k], 2)}`).join(' | ')} |`,
    );
  L.push('', '### CPU per request (ms; the best repetition, counters of the app process tree and of PostgreSQL)', '');
  L.push(`| request | ${variants.map((v) => `${v} app | ${v} PostgreSQL`).join(' | ')} |`);
  L.push(`| --- | ${variants.map(() => '--- | ---').join(' | ')} |`);
  for (const k of KINDS)
    L.push(
      `| ${KIND_LABEL[k]} | ${variants.map((v) => `${fixed(r.cpuPerRequest[v]![k].app, 2)} | ${fixed(r.cpuPerRequest[v]![k].postgres, 2)}`).join(' | ')} |`,
    );
  const best = (k: Kind) =>
    r.runs
      .filter((x) => x.kind === k && x.variant === last && x.pgByProcess)
      .sort((a, b) => b.perSecond - a.perSecond)[0];
  const measured = KINDS.map((k) => ({ k, run: best(k) })).filter((x) => x.run);
  if (measured.length > 0) {
    const labels = [...new Set(measured.flatMap((x) => x.run!.pgByProcess!.map((p) => p.label)))];
    const ms = (run: (typeof measured)[number]['run'], label: string) =>
      run!.pgByProcess!.find((p) => p.label === label)?.ms ?? 0;
    const shown = labels
      .filter((label) => measured.some((x) => ms(x.run, label) >= 0.005))
      .sort((a, b) => measured.reduce((n, x) => n + ms(x.run, b) - ms(x.run, a), 0));
    L.push(
      '',
      `### PostgreSQL CPU per request by process (${last}, best repetition; ms)`,
      '',
      "Client backends by their application_name (the request pool has none; the followers' connections name",
      'themselves), other processes by their type; "exited": processes that ended within the repetition.',
      '',
      `| request | ${shown.join(' | ')} |`,
      `| --- | ${shown.map(() => '---').join(' | ')} |`,
    );
    for (const x of measured)
      L.push(`| ${KIND_LABEL[x.k]} | ${shown.map((label) => fixed(ms(x.run, label), 3)).join(' | ')} |`);
  }
  L.push(
    '',
    '### Every repetition',
    '',
    '| rep | request | variant | req/s | errors | app cores | PostgreSQL cores | other cores |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const x of r.runs)
    L.push(
      `| ${x.rep} | ${x.kind} | ${x.variant} | ${fixed(x.perSecond)} | ${x.errors} | ${fixed(x.cpu.app ?? NaN, 2)} | ${fixed(x.cpu.postgres ?? NaN, 2)} | ${fixed(x.cpu.other ?? NaN, 2)} |`,
    );
  L.push(
    '',
    `### Half of peak (${last}; open loop, latency from when each request was due; every repetition, kinds interleaved)`,
    '',
  );
  L.push(
    '| rep | request | rate/s | served/s | errors | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const p of r.half)
    L.push(
      `| ${p.rep ?? 1} | ${KIND_LABEL[p.kind]} | ${p.rate} | ${fixed(p.perSecond)} | ${p.errors} | ${fixed(p.latency.p50, 1)} | ${fixed(p.latency.p99, 1)} | ${fixed(p.latency.max, 1)} |`,
    );
  if (r.half.some((p) => p.stalls)) {
    L.push(
      '',
      'What else happened during each of those runs (what a slow tail was): the slowest requests, the',
      "app's longest event-loop stall and its garbage collections (its own metrics), the load generator's",
      "longest event-loop stall, PostgreSQL's checkpoints, what its busy sessions waited on in the",
      'half second before the slowest request finished, and what the machine did over the run and in',
      'that half second: time some process waited for a CPU or for the disk (/proc/pressure) and time',
      'the hypervisor gave its CPUs to another guest (steal).',
      '',
    );
    for (const p of r.half) if (p.stalls) L.push(`- rep ${p.rep ?? 1} ${p.kind}: ${describeStalls(p.stalls)}`);
  }
  if (r.storage) {
    L.push(
      '',
      `### Storage per command (${r.storage.commands} commands: deposits, withdrawals and server-action withdrawals)`,
      '',
    );
    L.push('| relation | of table | kind | bytes grown | bytes per command |', '| --- | --- | --- | --- | --- |');
    for (const s of r.storage.rows)
      L.push(`| ${s.relation} | ${s.table} | ${s.kind} | ${s.bytes} | ${fixed(s.bytesPerCommand)} |`);
    L.push(
      `| **total** | | | ${r.storage.rows.reduce((n, s) => n + s.bytes, 0)} | **${fixed(r.storage.bytesPerCommand)}** |`,
    );
  }
  if (r.cluster) {
    L.push('', `### ${r.cluster.instances} instances behind HAProxy (${last})`, '');
    L.push('| request | peak req/s | half-of-peak rate | p50 ms | p99 ms |', '| --- | --- | --- | --- | --- |');
    for (const p of r.cluster.half)
      L.push(
        `| ${KIND_LABEL[p.kind]} | ${fixed(r.cluster.peak[p.kind] ?? NaN)} | ${p.rate} | ${fixed(p.latency.p50, 1)} | ${fixed(p.latency.p99, 1)} |`,
      );
  }
  if (r.plans.length) {
    L.push('', "### The admin console's filters: query plans on the benchmark's database", '');
    for (const p of r.plans) L.push(`**${p.filter}** — \`${p.sql}\``, '', '```', p.plan, '```', '');
  }
  return L.join('\n') + '\n';
}
