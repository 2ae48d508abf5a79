// Benchmark 6: what a customer's request costs around the command, as ratios to the framework's own
// floor (GET /api/health/live) measured in the same run. One `next start` per variant (e.g. the
// verdict cache off and on) on one database, all up at once; every request kind on every variant
// is run closed-loop (autocannon, `connections`) for `seconds`, the kinds and variants interleaved
// and repeated `reps` times, best repetition reported (the issue's method). Then, for the last
// variant, each kind at a steady half of its peak (open loop, latency from when each request was
// due) for p50/p99, each started once the log's followers (async projections, webhook fan-out)
// have caught up with what the runs before it wrote; the storage each command left behind (bytes per command, per table and per
// index, from pg_table_size / pg_relation_size before and after the measured writes); and the
// same with 3 instances behind HAProxy (lib/cluster), health and API withdrawals.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { migrate } from '../../lib/db/migrate';
import { startHaproxy } from '../../lib/cluster/haproxy';
import { signUpApiCustomer, verifyEmailsWith, verifyInDatabase } from '../../test/api-client';
import { formFields } from '../../test/server-action-form';
import { prepareApp, startInstance, stopInstance, type Instance } from '../measurement/app';
import { benchPort } from '../measurement/ports';
import { cpuMeter, treeTicks } from '../measurement/cpu';
import { histogram, summarize, type LatencySummary } from '../measurement/hdr';
import type { BenchServer } from '../measurement/pg-server';
import { relationSizes, storagePerCommand, type StorageRow } from '../measurement/storage';
import { describeStalls, followersCaughtUp, watchStalls, type Stalls } from '../measurement/stalls';
import { samplePromoted } from '../measurement/promoted';
import { adminPlans, type Plan } from '../measurement/admin-plans';
import { attributeAppProfile, foldAppProfile } from '../measurement/app-profile';
import { pgCpuByLabel, samplePgProcesses, sessionsOpened, watchNewSessions } from '../measurement/pg-processes';
import type { CpuProfile } from './profile';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type Variant = { name: string; env: Record<string, string> };
export type RequestPathConfig = {
  appDir: string;
  variants: Variant[];
  reps: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  accounts: number;
  /** Also 3 instances behind HAProxy. */
  cluster: boolean;
};

export const KINDS = [
  'health',
  'post-floor',
  'get',
  'deposit',
  'withdraw',
  'action',
  'action-floor',
  'action-js',
] as const;
/** Floors: references for throughput and CPU, no targets of their own. */
export const FLOORS: readonly Kind[] = ['post-floor', 'action-floor'];
export type Kind = (typeof KINDS)[number];
export const KIND_LABEL: Record<Kind, string> = {
  health: 'GET /api/health/live (the floor)',
  'post-floor':
    "POST /api/bench-floor/{id}/withdrawals with the commands' headers and JSON body (a route only the benchmark's build has: Next.js's floor for a POST of a command's shape)",
  get: 'GET /api/accounts/{id} with an API key',
  deposit: 'POST /api/accounts/{id}/deposits with an API key',
  withdraw: 'POST /api/accounts/{id}/withdrawals with an API key',
  action: 'Withdraw server action with a session cookie, posted without JavaScript (answered with the page)',
  'action-floor':
    "a server action called as the page's script calls Withdraw, with the same body and headers, that reads the form and answers a small state (a page only the benchmark's build has: Next.js's floor for the browser path)",
  'action-js': 'Withdraw server action with a session cookie, called by the page with JavaScript (the browser path)',
};

/** A kind's repetitions at half of peak, and the one with the median p99 (the upper one of an even count). */
export function medianHalf(half: Paced[], kind: Kind): { median: Paced; reps: Paced[] } | null {
  const reps = half.filter((p) => p.kind === kind);
  if (reps.length === 0) return null;
  const sorted = [...reps].sort((a, b) => a.latency.p99 - b.latency.p99);
  return { median: sorted[Math.floor(sorted.length / 2)]!, reps };
}

/** A request of a kind, fresh each time (new Idempotency-Key or command id, random account). */
type Req = { method: string; path: string; headers: Record<string, string>; body?: string; ok: number };

export type Run = {
  kind: Kind;
  variant: string;
  rep: number;
  perSecond: number;
  errors: number;
  cpu: Record<string, number>;
  /** PostgreSQL's CPU per request (ms) by process kind (bench/measurement/pg-processes.ts), most first. */
  pgByProcess?: { label: string; ms: number }[];
  /** Connections PostgreSQL accepted during the repetition. */
  pgSessions?: number;
};
export type Paced = {
  kind: Kind;
  rate: number;
  perSecond: number;
  errors: number;
  latency: LatencySummary;
  /** What else happened during the run (single-instance runs only). */
  stalls?: Stalls;
  /** Which repetition (single-instance runs, repeated like the throughput). */
  rep?: number;
};
export type RequestPathResult = {
  load: string;
  runs: Run[];
  best: Record<string, Record<Kind, number>>;
  /** Ratio of each kind to health, per variant (best of reps each). */
  ratios: Record<string, Record<Kind, number>>;
  /** CPU ms per request (app, postgres) per variant and kind, from the best rep. */
  cpuPerRequest: Record<string, Record<Kind, { app: number; postgres: number }>>;
  /** Every repetition of every kind at half of its peak (the verdict: each kind's median p99, medianHalf). */
  half: Paced[];
  storage: { commands: number; rows: StorageRow[]; bytesPerCommand: number } | null;
  cluster: { instances: number; peak: Record<string, number>; half: Paced[] } | null;
  plans: Plan[];
  /** API withdrawals: app CPU ms/request (counters) split by a --cpu-prof profile of the same load, per variant; PostgreSQL from the counters. */
  split: Record<string, { next: number; idem: number; auth: number; postgres: number; samples: number }>;
  /** Folded stacks of the last variant's profile (bench/report/flame.ts). */
  folded: string;
};

type Target = {
  url: string;
  authorization: string;
  cookie: string;
  actionFields: [string, string][];
  /** The benchmark's floor action's id (bench/measurement/app.ts). */
  floorActionId: string;
  /** The Withdraw action's id (from the form's hidden fields), for the client's fetch. */
  actionId: string;
};

const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;

/** The multipart body the Withdraw form posts without JavaScript: the page's own fields, a fresh command id, one cent. */
function actionBody(formFields: [string, string][]): { body: string; type: string } {
  const boundary = `----idembench${randomUUID().replace(/-/g, '')}`;
  const fields = formFields.map(([name, value]): [string, string] => [
    name,
    name === 'commandId' ? randomUUID() : name === 'amount' ? '0.01' : value,
  ]);
  if (!fields.some(([name]) => name === 'amount')) fields.push(['amount', '0.01']);
  const text =
    fields
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { body: text, type: `multipart/form-data; boundary=${boundary}` };
}

/**
 * What the page's script sends when the Withdraw dialog is submitted (React's encodeReply of the
 * action's arguments, the previous state and the form): the fields prefixed `_1_`, the argument list
 * in `0`; headers as Next's router sends them, to the account page the dialog is on. The page takes
 * the answer's update (the balance and the row the withdrawal wrote) instead of a render.
 */
function enhancedActionBody(formFields: [string, string][], account: string): { body: string; type: string } {
  const boundary = `----idembench${randomUUID().replace(/-/g, '')}`;
  const commandId = randomUUID();
  const fields: [string, string][] = formFields
    .filter(([name]) => !name.startsWith('$ACTION'))
    .map(([name, value]) => [
      `_1_${name}`,
      name === 'commandId' ? commandId : name === 'amount' ? '0.01' : name === 'accountId' ? account : value,
    ]);
  if (!fields.some(([name]) => name === '_1_amount')) fields.push(['_1_amount', '0.01']);
  if (!fields.some(([name]) => name === '_1_enhanced')) fields.push(['_1_enhanced', '1']);
  // The account page shows the answer's update itself (app/components/page-renders.ts).
  if (!fields.some(([name]) => name === '_1_takesUpdate')) fields.push(['_1_takesUpdate', '1']);
  const previous = { result: null, values: { amount: '' }, commandId, highlight: null, update: null };
  fields.push(['0', JSON.stringify([previous, '$K1'])]);
  const text =
    fields
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { body: text, type: `multipart/form-data; boundary=${boundary}` };
}

/** The router state the client sends with an action: the account page's segments. */
const routerStateOf = (account: string, segment = 'accounts') =>
  encodeURIComponent(
    JSON.stringify([
      '',
      {
        children: [
          segment,
          { children: [['accountId', account, 'd'], { children: ['__PAGE__', {}, null, null] }, null, null] },
          null,
          null,
        ],
      },
      null,
      null,
      true,
    ]),
  );

function request(kind: Kind, target: Target, accounts: string[]): Req {
  const account = pick(accounts);
  const api = { authorization: target.authorization };
  const command = (path: string): Req => ({
    method: 'POST',
    path,
    headers: { ...api, 'content-type': 'application/json', 'idempotency-key': `"${randomUUID()}"` },
    body: '{"amount":"0.01"}',
    ok: 201,
  });
  switch (kind) {
    case 'health':
      return { method: 'GET', path: '/api/health/live', headers: {}, ok: 200 };
    case 'post-floor':
      return { ...command(`/api/bench-floor/${account}/withdrawals`), ok: 201 };
    case 'get':
      return { method: 'GET', path: `/api/accounts/${account}`, headers: api, ok: 200 };
    case 'deposit':
      return command(`/api/accounts/${account}/deposits`);
    case 'withdraw':
      return command(`/api/accounts/${account}/withdrawals`);
    case 'action': {
      const { body, type } = actionBody(target.actionFields);
      // The no-JavaScript form post: the page answers 200 with the confirmation (and a new key).
      return {
        method: 'POST',
        path: `/accounts/${account}/withdraw`,
        headers: { cookie: target.cookie, origin: target.url, 'content-type': type },
        body,
        ok: 200,
      };
    }
    case 'action-floor':
      return scriptAction(target, target.floorActionId, account, 'bench-floor');
    case 'action-js':
      // The action's answer alone: the page takes what the withdrawal changed from it (no render).
      return scriptAction(target, target.actionId, account, 'accounts');
    default: {
      const never: never = kind;
      throw new Error(`unknown kind ${String(never)}`);
    }
  }
}

/**
 * A server action called as the account page's script calls Withdraw (its multipart body, headers
 * and router state) on `/<segment>/{account}`: the Withdraw action itself, or the benchmark's floor.
 */
function scriptAction(
  target: { cookie: string; url: string; actionFields: [string, string][] },
  actionId: string,
  account: string,
  segment: 'accounts' | 'bench-floor',
): Req {
  const { body, type } = enhancedActionBody(target.actionFields, account);
  return {
    method: 'POST',
    path: `/${segment}/${account}`,
    headers: {
      cookie: target.cookie,
      origin: target.url,
      'content-type': type,
      accept: 'text/x-component',
      'next-action': actionId,
      'next-router-state-tree': routerStateOf(account, segment),
    },
    body,
    ok: 200,
  };
}

/** Closed loop on each target (connections split between them): successful requests per second over all. */
async function closedLoop(
  kind: Kind,
  targets: Target[],
  accounts: string[],
  seconds: number,
  connections: number,
  pids: number[],
  pgPid: number | null,
): Promise<{ perSecond: number; errors: number; cpu: Record<string, number> }> {
  let ok = 0;
  let errors = 0;
  const meter = cpuMeter({ postgres: () => (pgPid ? treeTicks([pgPid]) : 0), app: () => treeTicks(pids) });
  await Promise.all(
    targets.map(
      (target) =>
        new Promise<void>((resolve, reject) => {
          const expected = request(kind, target, accounts).ok;
          const run = autocannon(
            {
              url: target.url,
              connections: Math.max(1, Math.round(connections / targets.length)),
              duration: seconds,
              requests: [
                {
                  setupRequest: (r) => {
                    const next = request(kind, target, accounts);
                    return {
                      ...r,
                      method: next.method as 'GET',
                      path: next.path,
                      headers: next.headers,
                      body: next.body,
                    };
                  },
                },
              ],
            },
            (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
          );
          run.on('response', (_client, status) => (status === expected ? ok++ : errors++));
          run.on('reqError', () => errors++);
        }),
    ),
  );
  return { perSecond: ok / seconds, errors, cpu: meter() };
}

/** Open loop at `rate`/s, round-robin over the targets; latency counted from when each request was due. */
/** The token the bench's instances serve their metrics with (what a paced run reads of the app). */
const METRICS_TOKEN = 'bench-metrics-token-0001';

async function paced(
  kind: Kind,
  targets: Target[],
  accounts: string[],
  seconds: number,
  rate: number,
  watch?: { databaseUrl: string },
): Promise<Paced> {
  const latency = histogram();
  const worst: Stalls['worst'] = [];
  let worstMs = 0;
  let worstEndedAt: number | undefined;
  const stop = watch
    ? await watchStalls(targets.length === 1 ? { url: targets[0]!.url, token: METRICS_TOKEN } : null, watch.databaseUrl)
    : null;
  let ok = 0;
  let errors = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const start = performance.now() + 20;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total;) {
    const now = performance.now();
    while (i < total && start + (i * 1000) / rate <= now) {
      const due = start + (i * 1000) / rate;
      const target = targets[i % targets.length]!;
      const r = request(kind, target, accounts);
      const p = new Promise<void>((resolve) => {
        const req = http.request(
          new URL(target.url + r.path),
          { method: r.method, agent, headers: r.headers },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === r.ok) {
                ok++;
                const ms = performance.now() - due;
                latency.recordValue(Math.max(1, Math.round(ms * 1000)));
                if (ms > worstMs) [worstMs, worstEndedAt] = [ms, performance.now()];
                if (worst.length < 5 || ms > worst.at(-1)!.ms) {
                  worst.push({ atSeconds: (due - start) / 1000, ms });
                  worst.sort((a, b) => b.ms - a.ms).splice(5);
                }
              } else errors++;
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors++;
          resolve();
        });
        req.end(r.body);
      });
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
      i++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const stalls = stop ? await stop(worst, worstEndedAt) : undefined;
  return { kind, rate, perSecond: ok / seconds, errors, latency: summarize(latency), stalls };
}

/** A customer with an API key, a session and `count` accounts, and the Withdraw form's server action id. */
async function prepareCustomer(url: string, databaseUrl: string, count: number) {
  verifyEmailsWith(url, verifyInDatabase(databaseUrl));
  const customer = await signUpApiCustomer(url, 'bench');
  const accounts: string[] = [];
  for (let i = 0; i < count; i++) {
    const opened = await fetch(`${url}/api/accounts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': `"${randomUUID()}"`,
        authorization: customer.authorizations[0]!,
      },
      body: JSON.stringify({ name: `bench ${i}`, openingDeposit: '1000000.00' }),
    });
    if (opened.status !== 201) throw new Error(`POST /api/accounts: ${opened.status} ${await opened.text()}`);
    accounts.push(String(((await opened.json()) as { id: string }).id));
  }
  const page = await fetch(`${url}/accounts/${accounts[0]}/withdraw`, { headers: { cookie: customer.cookie! } });
  const actionFields = formFields(await page.text(), 'Withdraw');
  if (!actionFields.some(([name]) => name.startsWith('$ACTION')))
    throw new Error('the Withdraw form has no server action field');
  // A probe: the form post must record a withdrawal (200 with the confirmation), or every figure is of an error page.
  const probe = actionBody(actionFields);
  const answer = await fetch(`${url}/accounts/${accounts[0]}/withdraw`, {
    method: 'POST',
    headers: { cookie: customer.cookie!, origin: url, 'content-type': probe.type },
    body: probe.body,
  });
  const html = await answer.text();
  if (answer.status !== 200 || !html.includes('Withdrew $0.01'))
    throw new Error(`the Withdraw form post did not record a withdrawal: ${answer.status} ${html.slice(0, 300)}`);
  // The action's id: the no-JS form carries it as `$ACTION_<n>:0` = {"id": …, "bound": …}.
  const reference = actionFields.find(([name]) => /^\$ACTION_\d+:0$/.test(name))?.[1];
  const actionId = reference ? (JSON.parse(reference) as { id?: string }).id : undefined;
  if (!actionId)
    throw new Error(`the Withdraw form names no action id: ${JSON.stringify(actionFields.map(([n]) => n))}`);
  const call = scriptAction({ cookie: customer.cookie!, url, actionFields }, actionId, accounts[0]!, 'accounts');
  const called = await fetch(url + call.path, { method: call.method, headers: call.headers, body: call.body });
  const flight = await called.text();
  if (called.status !== 200 || !flight.includes('Withdrew $0.01'))
    throw new Error(`the Withdraw action call did not record a withdrawal: ${called.status} ${flight.slice(0, 300)}`);
  // The floor action's id, from the benchmark's own page (bench/measurement/app.ts).
  const floorPage = await (await fetch(`${url}/bench-floor/${accounts[0]}`)).text();
  const floorActionId = /data-action-id="([0-9a-f]+)"/.exec(floorPage)?.[1];
  if (!floorActionId) throw new Error(`the floor page names no action: ${floorPage.slice(0, 300)}`);
  return {
    authorization: customer.authorizations[0]!,
    cookie: customer.cookie!,
    accounts,
    actionFields,
    actionId,
    floorActionId,
  };
}

const countCommands = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('SELECT count(*)::text AS n FROM commands')).rows[0]!.n);
  } finally {
    await client.end();
  }
};

/**
 * Only a profile of one kind of request on one instance of the last variant (`--profile <kind>`):
 * folded stacks for the flame graph and the app's Next.js / Idem shares. For finding the next lever.
 */
export async function profileRequestKind(
  server: BenchServer,
  config: RequestPathConfig,
  kind: Kind,
  log: (line: string) => void,
): Promise<{ shares: ReturnType<typeof attributeAppProfile>; folded: string } | null> {
  prepareApp(config.appDir, log);
  const limits = { IDEM_CUSTOMER_RATE_LIMIT: '999999999/60', IDEM_API_KEY_RATE_LIMIT: '999999999/60' };
  const url = await server.freshDatabase('bench_request_profile');
  await migrate(url);
  const env = { ...limits, ...config.variants.at(-1)!.env };
  const setup = await startInstance(config.appDir, url, env);
  let customer;
  try {
    customer = await prepareCustomer(setup.url, url, config.accounts);
  } finally {
    await stopInstance(setup);
  }
  log(`profiling ${kind} (${config.seconds} s closed loop, ${config.connections} connections)`);
  const stats = new pg.Client({ connectionString: url });
  await stats.connect();
  try {
    await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => {});
    const statements = await stats
      .query('SELECT pg_stat_statements_reset()')
      .then(() => true)
      .catch(() => false);
    const profiled = await profileWithdrawals(server, config, url, customer, env, kind, stats);
    if (profiled) {
      // Which of PostgreSQL's processes did the work, per request of this kind.
      const requests = Math.max(1, Math.round(profiled.perSecond * config.seconds));
      const per = (cores: number | undefined) => (((cores ?? 0) * 1000) / Math.max(1, profiled.perSecond)).toFixed(2);
      log(
        `${requests} requests (${profiled.perSecond.toFixed(0)}/s); CPU per request (counters): app ${per(profiled.counters.app)} ms, PostgreSQL ${per(profiled.counters.postgres)} ms, rest of the machine ${per(profiled.counters.other)} ms`,
      );
      log('sessions opened during the window, by what they ran first:');
      for (const [what, n] of [...profiled.newSessions].sort((a, b) => b[1] - a[1]))
        log(`  ${String(n).padStart(5)}  ${what}`);
      log('PostgreSQL CPU per request by process:');
      for (const r of profiled.pgCpu) log(`  ${(r.ms / requests).toFixed(3).padStart(7)} ms  ${r.label}`);
    }
    if (statements) {
      // What PostgreSQL spent its time on for these requests (this database only), most first.
      const { rows } = await stats.query<{ calls: string; ms: number; query: string }>(
        `SELECT s.calls::text AS calls, s.total_exec_time AS ms, s.query FROM pg_stat_statements s
           JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()
          ORDER BY s.total_exec_time DESC LIMIT 12`,
      );
      for (const r of rows)
        log(
          `  pg ${r.ms.toFixed(0).padStart(7)} ms ${r.calls.padStart(7)} calls  ${r.query.replace(/\s+/g, ' ').slice(0, 110)}`,
        );
    }
    return profiled;
  } finally {
    await stats.end();
  }
}

export async function runRequestPathBench(
  server: BenchServer,
  config: RequestPathConfig,
  log: (line: string) => void,
): Promise<RequestPathResult> {
  prepareApp(config.appDir, log);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  // Budgets raised, never off: their statements are part of what a request costs.
  const limits = { IDEM_CUSTOMER_RATE_LIMIT: '999999999/60', IDEM_API_KEY_RATE_LIMIT: '999999999/60' };
  const url = await server.freshDatabase('bench_request_path');
  await migrate(url);
  const instances: Instance[] = [];
  const runs: Run[] = [];
  let storage: RequestPathResult['storage'] = null;
  const half: Paced[] = [];
  let plans: Plan[] = [];
  let customerOf: Awaited<ReturnType<typeof prepareCustomer>> | null = null;
  try {
    for (const v of config.variants)
      instances.push(await startInstance(config.appDir, url, { ...limits, METRICS_TOKEN, ...v.env }));
    const customer = await prepareCustomer(instances[0]!.url, url, config.accounts);
    customerOf = customer;
    const targets = instances.map((i) => ({ ...customer, url: i.url }));
    log(`request path: ${instances.length} instance(s) (${config.variants.map((v) => v.name).join(', ')}); warming up`);
    for (const [i, target] of targets.entries())
      for (const kind of KINDS)
        await closedLoop(kind, [target], customer.accounts, config.warmupSeconds, 8, [instances[i]!.pid], server.pgPid);
    const sizesBefore = await relationSizes(url);
    const commandsBefore = await countCommands(url);
    const stats = new pg.Client({ connectionString: url });
    await stats.connect();
    const pgPid = server.pgPid;
    for (let rep = 1; rep <= config.reps; rep++)
      for (const kind of KINDS)
        for (const [i, v] of config.variants.entries()) {
          const before = pgPid ? await samplePgProcesses(pgPid, stats) : null;
          const r = await closedLoop(
            kind,
            [targets[i]!],
            customer.accounts,
            config.seconds,
            config.connections,
            [instances[i]!.pid],
            server.pgPid,
          );
          const requests = Math.max(1, r.perSecond * config.seconds);
          const after = pgPid ? await samplePgProcesses(pgPid, stats) : null;
          const pgByProcess =
            before && after
              ? pgCpuByLabel(before, after).map((x) => ({
                  label: x.label,
                  ms: x.ms / requests,
                }))
              : undefined;
          const pgSessions = before && after ? sessionsOpened(before, after) : undefined;
          runs.push({ kind, variant: v.name, rep, ...r, pgByProcess, pgSessions });
          if (pgByProcess)
            log(
              `    PostgreSQL: ${pgSessions} sessions opened; per request: ${pgByProcess
                .slice(0, 5)
                .map((x) => `${x.label} ${x.ms.toFixed(3)} ms`)
                .join(', ')}`,
            );
          log(
            `  rep ${rep} ${kind.padEnd(8)} ${v.name.padEnd(14)} ${r.perSecond.toFixed(0)}/s (errors ${r.errors}), app ${r.cpu.app?.toFixed(2)} cores, pg ${r.cpu.postgres?.toFixed(2)}, other ${r.cpu.other?.toFixed(2)}`,
          );
        }
    await stats.end();
    const commands = (await countCommands(url)) - commandsBefore;
    const rows = storagePerCommand(sizesBefore, await relationSizes(url), commands);
    storage = { commands, rows, bytesPerCommand: rows.reduce((n, r) => n + r.bytesPerCommand, 0) };
    plans = await adminPlans(url);
    log(`  storage: ${storage.bytesPerCommand.toFixed(0)} bytes per command over ${commands} commands`);
    const last = config.variants.length - 1;
    // The POST floor is only a reference for throughput and CPU: no latency target. Repeated like the
    // throughput, kinds interleaved: a stall of the shared machine lands in one repetition, and the
    // verdict takes each kind's median (bench/report/request-path.ts).
    // One instance, as the issue measures it: the other variants' instances are stopped first, so
    // their followers (projections, webhook fan-out, scheduler) do not take the cores meanwhile.
    await Promise.all(instances.slice(0, last).map((i) => stopInstance(i)));
    const peak = (kind: Kind) =>
      Math.max(
        ...runs.filter((r) => r.kind === kind && r.variant === config.variants[last]!.name).map((r) => r.perSecond),
      );
    for (let rep = 1; rep <= config.reps; rep++)
      for (const kind of KINDS.filter((k) => !FLOORS.includes(k))) {
        const waited = await followersCaughtUp(url);
        const p = await paced(
          kind,
          [targets[last]!],
          customer.accounts,
          config.seconds,
          Math.max(1, Math.floor(peak(kind) / 2)),
          { databaseUrl: url },
        );
        p.rep = rep;
        if (p.stalls) p.stalls.followersCaughtUpMs = waited;
        half.push(p);
        log(
          `  rep ${rep} half of peak ${kind.padEnd(8)} ${p.rate}/s: p50 ${p.latency.p50.toFixed(1)} ms, p99 ${p.latency.p99.toFixed(1)} ms (errors ${p.errors})`,
        );
        if (p.stalls) log(`    ${describeStalls(p.stalls)}`);
      }
  } finally {
    await Promise.all(instances.map((i) => stopInstance(i)));
  }
  const split: RequestPathResult['split'] = {};
  let folded = '';
  for (const v of config.variants) {
    const profiled = customerOf && (await profileWithdrawals(server, config, url, customerOf, { ...limits, ...v.env }));
    if (!profiled) continue;
    const top = runs
      .filter((r) => r.kind === 'withdraw' && r.variant === v.name)
      .reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const appMs = ((top.cpu.app ?? 0) / top.perSecond) * 1000;
    const attributed = profiled.shares.next + profiled.shares.idem || 1;
    split[v.name] = {
      next: appMs * (profiled.shares.next / attributed),
      idem: appMs * (profiled.shares.idem / attributed),
      auth: appMs * (profiled.shares.auth / attributed),
      postgres: ((top.cpu.postgres ?? 0) / top.perSecond) * 1000,
      samples: profiled.shares.samples,
    };
    log(
      `  cpu split ${v.name}: Next.js ${split[v.name]!.next.toFixed(2)} ms, Idem ${split[v.name]!.idem.toFixed(2)} ms (auth ${split[v.name]!.auth.toFixed(2)}), PostgreSQL ${split[v.name]!.postgres.toFixed(2)} ms per withdrawal (${profiled.shares.samples} samples)`,
    );
    folded = profiled.folded;
  }
  const cluster = config.cluster ? await clusterRun(server, config, limits, log) : null;
  const best: RequestPathResult['best'] = {};
  const ratios: RequestPathResult['ratios'] = {};
  const cpuPerRequest: RequestPathResult['cpuPerRequest'] = {};
  for (const v of config.variants) {
    const top = (kind: Kind) =>
      runs.filter((r) => r.kind === kind && r.variant === v.name).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    best[v.name] = Object.fromEntries(KINDS.map((k) => [k, top(k).perSecond])) as Record<Kind, number>;
    ratios[v.name] = Object.fromEntries(KINDS.map((k) => [k, top(k).perSecond / top('health').perSecond])) as Record<
      Kind,
      number
    >;
    cpuPerRequest[v.name] = Object.fromEntries(
      KINDS.map((k) => {
        const r = top(k);
        return [
          k,
          { app: ((r.cpu.app ?? 0) / r.perSecond) * 1000, postgres: ((r.cpu.postgres ?? 0) / r.perSecond) * 1000 },
        ];
      }),
    ) as Record<Kind, { app: number; postgres: number }>;
  }
  return { load, runs, best, ratios, cpuPerRequest, half, storage, cluster, plans, split, folded };
}

/** 3 instances of the last variant behind HAProxy: health and API withdrawals, peak and half of peak. */
async function clusterRun(
  server: BenchServer,
  config: RequestPathConfig,
  limits: Record<string, string>,
  log: (line: string) => void,
): Promise<RequestPathResult['cluster']> {
  const url = await server.freshDatabase('bench_request_path_3');
  await migrate(url);
  const env = { ...limits, ...config.variants.at(-1)!.env };
  const instances: Instance[] = [];
  let haproxy: Awaited<ReturnType<typeof startHaproxy>> | null = null;
  try {
    for (let i = 0; i < 3; i++) instances.push(await startInstance(config.appDir, url, env));
    haproxy = await startHaproxy({
      port: await benchPort('BENCH_APP_PORTS'),
      servers: instances.map((i, n) => {
        const u = new URL(i.url);
        return { name: `i${n}`, host: u.hostname, port: Number(u.port) };
      }),
    });
    for (let n = 0; n < instances.length; n++) await haproxy.waitFor(`i${n}`, 'UP', 60_000);
    const customer = await prepareCustomer(instances[0]!.url, url, config.accounts);
    const target = { ...customer, url: haproxy.url };
    const pids = instances.map((i) => i.pid);
    for (const kind of ['health', 'withdraw'] as const)
      await closedLoop(kind, [target], customer.accounts, config.warmupSeconds, 16, pids, server.pgPid);
    const peak: Record<string, number> = { health: 0, withdraw: 0 };
    for (let rep = 1; rep <= config.reps; rep++)
      for (const kind of ['health', 'withdraw'] as const) {
        const r = await closedLoop(
          kind,
          [target],
          customer.accounts,
          config.seconds,
          config.connections,
          pids,
          server.pgPid,
        );
        peak[kind] = Math.max(peak[kind]!, r.perSecond);
        log(
          `  3 instances rep ${rep} ${kind}: ${r.perSecond.toFixed(0)}/s (errors ${r.errors}), app ${r.cpu.app?.toFixed(2)} cores, pg ${r.cpu.postgres?.toFixed(2)}`,
        );
      }
    const half: Paced[] = [];
    for (const kind of ['health', 'withdraw'] as const) {
      const p = await paced(
        kind,
        [target],
        customer.accounts,
        config.seconds,
        Math.max(1, Math.floor(peak[kind]! / 2)),
      );
      half.push(p);
      log(
        `  3 instances half of peak ${kind} ${p.rate}/s: p50 ${p.latency.p50.toFixed(1)} ms, p99 ${p.latency.p99.toFixed(1)} ms`,
      );
    }
    return { instances: 3, peak, half };
  } finally {
    await haproxy?.stop();
    await Promise.all(instances.map((i) => stopInstance(i)));
  }
}

/** One more instance with V8's --cpu-prof under closed-loop requests of a kind (API withdrawals): its Next.js / Idem shares and folded stacks. */
async function profileWithdrawals(
  server: BenchServer,
  config: RequestPathConfig,
  url: string,
  customer: Awaited<ReturnType<typeof prepareCustomer>>,
  env: Record<string, string>,
  kind: Kind = 'withdraw',
  stats?: pg.Client,
): Promise<{
  shares: ReturnType<typeof attributeAppProfile>;
  folded: string;
  perSecond: number;
  counters: Record<string, number>;
  pgCpu: { label: string; ms: number }[];
  newSessions: Map<string, number>;
} | null> {
  const dir = mkdtempSync(path.join(tmpdir(), 'idem-bench-request-profile-'));
  try {
    const instance = await startInstance(config.appDir, url, env, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      '--cpu-prof-interval=500',
    ]);
    const target = { ...customer, url: instance.url };
    let from = 0;
    let to = 0;
    let perSecond = 0;
    let counters: Record<string, number> = {};
    let pgCpu: { label: string; ms: number }[] = [];
    let newSessions = new Map<string, number>();
    try {
      await closedLoop(kind, [target], customer.accounts, config.warmupSeconds, 8, [instance.pid], server.pgPid);
      const before = stats && server.pgPid ? await samplePgProcesses(server.pgPid, stats) : null;
      const watcher = stats ? new pg.Client({ connectionString: url }) : null;
      await watcher?.connect();
      const watching = watcher ? watchNewSessions(watcher) : null;
      from = nowUs();
      const measured = await closedLoop(
        kind,
        [target],
        customer.accounts,
        config.seconds,
        config.connections,
        [instance.pid],
        server.pgPid,
      );
      to = nowUs();
      counters = measured.cpu;
      perSecond = measured.perSecond;
      if (before && stats && server.pgPid) pgCpu = pgCpuByLabel(before, await samplePgProcesses(server.pgPid, stats));
      if (watching) newSessions = await watching.stop();
      await watcher?.end();
    } finally {
      await stopInstance(instance);
    }
    const profiles = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile);
    const best = profiles
      .map((p) => ({ p, shares: attributeAppProfile(p, from, to) }))
      .reduce<{ p: CpuProfile; shares: ReturnType<typeof attributeAppProfile> } | null>(
        (a, b) => (a && a.shares.samples >= b.shares.samples ? a : b),
        null,
      );
    if (!best || best.shares.samples === 0) return null;
    return {
      shares: best.shares,
      folded: foldAppProfile(best.p, from, to),
      perSecond,
      counters,
      pgCpu,
      newSessions,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Only the slow tail of one kind of request (`--tail <kind>`): one instance, its peak (closed loop),
 * then `config.reps` runs at half of it, each with what the machine, PostgreSQL and the app's event
 * loop did before its slowest request, and afterwards the instance's own warnings and errors. For
 * finding what a p99 waited on.
 */
export async function tailRequestKind(
  server: BenchServer,
  config: RequestPathConfig,
  kind: Kind,
  log: (line: string) => void,
  options: { promoted?: boolean } = {},
): Promise<void> {
  prepareApp(config.appDir, log);
  const limits = { IDEM_CUSTOMER_RATE_LIMIT: '999999999/60', IDEM_API_KEY_RATE_LIMIT: '999999999/60' };
  const url = await server.freshDatabase('bench_request_tail');
  await migrate(url);
  const inspectPort = options.promoted ? await benchPort('BENCH_APP_PORTS') : null;
  const instance = await startInstance(
    config.appDir,
    url,
    { ...limits, METRICS_TOKEN, ...config.variants.at(-1)!.env },
    inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
  );
  try {
    const customer = await prepareCustomer(instance.url, url, config.accounts);
    const target = { ...customer, url: instance.url };
    const loop = (seconds: number, connections: number) =>
      closedLoop(kind, [target], customer.accounts, seconds, connections, [instance.pid], server.pgPid);
    await loop(config.warmupSeconds, 8);
    const peak = await loop(config.seconds, config.connections);
    const rate = Math.max(1, Math.floor(peak.perSecond / 2));
    log(`${kind}: peak ${peak.perSecond.toFixed(0)}/s; ${config.reps} runs of ${config.seconds} s at ${rate}/s`);
    const runs = async () => {
      for (let rep = 1; rep <= config.reps; rep++) {
        const waited = await followersCaughtUp(url);
        const p = await paced(kind, [target], customer.accounts, config.seconds, rate, { databaseUrl: url });
        if (p.stalls) p.stalls.followersCaughtUpMs = waited;
        log(
          `  run ${rep}: p50 ${p.latency.p50.toFixed(1)} ms, p99 ${p.latency.p99.toFixed(1)} ms (errors ${p.errors})`,
        );
        if (p.stalls) log(`    ${describeStalls(p.stalls)}`);
      }
    };
    if (!inspectPort) await runs();
    else {
      const { byOwner, sites } = await samplePromoted(inspectPort, runs);
      const total = byOwner.reduce((sum, [, bytes]) => sum + bytes, 0);
      const requests = Math.round(rate * config.seconds * config.reps);
      const kb = (bytes: number) => `${(bytes / requests / 1024).toFixed(2)} KB`;
      log(`allocations that outlived scavenges: ${kb(total)} per request (${(total / 2 ** 20).toFixed(0)} MB sampled)`);
      log(`  by whose code made them: ${byOwner.map(([who, bytes]) => `${who} ${kb(bytes)}`).join(', ')}`);
      for (const s of sites.slice(0, 20)) log(`  ${kb(s.bytes).padStart(9)}  ${s.site}  < ${s.stack}`.slice(0, 400));
    }
  } finally {
    await stopInstance(instance);
  }
  const noted = instance.output.filter((line) => /"level":"(warn|error|fatal)"/.test(line));
  // With BENCH_APP_NODE_ARGS=--trace-gc: V8's line for each major collection.
  for (const line of instance.output.filter((l) => /Mark-Compact|Mark-sweep/.test(l))) log(`  ${line.slice(0, 400)}`);
  log(`the instance's warnings and errors: ${noted.length}`);
  for (const line of noted.slice(-30)) log(`  ${line.slice(0, 400)}`);
}
