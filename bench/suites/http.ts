// Benchmark 4: withdrawals over HTTP (POST /api/accounts/{id}/withdrawals, a unique Idempotency-Key
// per request) through `next start`, 1 and N instances on one PostgreSQL, driven by autocannon in
// this process (closed loop) for the peak (the best 201/s over a few connection counts); then an
// open-loop run at a steady half of that rate (paced(), below) for the latency percentiles,
// sampling each instance's RSS.
import autocannon from 'autocannon';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '../../lib/db/migrate';
import { attributeAppProfile } from '../measurement/app-profile';
import { apiKeyAuthorization, verifyEmailsWith, verifyInDatabase } from '../../test/api-client';
import { instanceRss, prepareApp, startInstance, stopInstance, type Instance } from '../measurement/app';
import { cpuMeter, ownTicks, treeTicks, waitForQuiet } from '../measurement/cpu';
import { histogram, summarize, type LatencySummary } from '../measurement/hdr';
import type { BenchServer } from '../measurement/pg-server';
import type { CpuProfile } from './profile';

export type HttpConfig = {
  appDir: string;
  instances: number[];
  accounts: number;
  warmupSeconds: number;
  seconds: number;
  peakConnections: number[];
  quiet: { maxOtherCores: number; maxWaitMs: number } | null;
};

export type LoadResult = {
  connections: number;
  rate: number | null;
  ok: number;
  errors: number;
  okPerSecond: number;
  latency: LatencySummary;
  cpu: Record<string, number>;
};

export type HttpRow = {
  instances: number;
  peak: LoadResult;
  peakTries: LoadResult[];
  half: LoadResult;
  rssIdleMiB: number[];
  rssMaxMiB: number[];
  /** CPU ms per 201 at half of peak: the app process split into Next.js and Idem (`auth`: the API-key check, part of Idem), and PostgreSQL. */
  cpuPerRequest?: { next: number; idem: number; auth: number; postgres: number; method: string };
};

export type HttpResult = { rows: HttpRow[]; buildStamp: string; buildSeconds: number; poolSize: number };

async function api(
  instance: Instance,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(instance.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `"${randomUUID()}"`,
      authorization: instance.authorization ?? '',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Withdrawals of one cent from random accounts on every instance at once; `rate` in requests/s over all of them. */
async function load(
  instances: Instance[],
  accountIds: string[],
  seconds: number,
  connections: number,
  rate: number | null,
  pgPid: number | null,
): Promise<LoadResult> {
  const latency = histogram();
  let ok = 0;
  let errors = 0;
  const meter = cpuMeter({
    postgres: () => (pgPid ? treeTicks([pgPid]) : 0),
    app: () => treeTicks(instances.map((i) => i.pid)),
    loadgen: () => ownTicks(process.pid),
  });
  const runs = instances.map(
    (instance) =>
      new Promise<void>((resolve, reject) => {
        const perInstance = Math.max(1, Math.round(connections / instances.length));
        const run = autocannon(
          {
            url: instance.url,
            connections: perInstance,
            duration: seconds,
            ...(rate ? { overallRate: Math.max(1, Math.round(rate / instances.length)) } : {}),
            requests: [
              {
                method: 'POST',
                setupRequest: (request) => ({
                  ...request,
                  path: `/api/accounts/${accountIds[Math.floor(Math.random() * accountIds.length)]}/withdrawals`,
                  headers: {
                    'content-type': 'application/json',
                    'idempotency-key': `"${randomUUID()}"`,
                    authorization: instance.authorization ?? '',
                  },
                  body: '{"amount":"0.01"}',
                }),
              },
            ],
          },
          (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
        );
        run.on('response', (_client, statusCode, _bytes, responseTime) => {
          if (statusCode === 201) {
            ok++;
            latency.recordValue(Math.max(1, Math.round(responseTime * 1000)));
          } else errors++;
        });
      }),
  );
  await Promise.all(runs);
  const cpu = meter();
  return { connections, rate, ok, errors, okPerSecond: ok / seconds, latency: summarize(latency), cpu };
}

/**
 * Open loop at a constant rate: request i is due at start + i / rate, round-robin over the
 * instances, whatever happened to the ones before it, and its latency counts from when it was due
 * (so time spent queueing behind slow requests is included: no coordinated omission). autocannon's
 * own rate limit sends each second's quota as fast as it can and then idles, i.e. in bursts at
 * peak speed, which is not "half of peak".
 */
async function paced(
  instances: Instance[],
  accountIds: string[],
  seconds: number,
  rate: number,
  pgPid: number | null,
): Promise<LoadResult> {
  const latency = histogram();
  let ok = 0;
  let errors = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const meter = cpuMeter({
    postgres: () => (pgPid ? treeTicks([pgPid]) : 0),
    app: () => treeTicks(instances.map((i) => i.pid)),
    loadgen: () => ownTicks(process.pid),
  });
  const total = Math.round(rate * seconds);
  const start = performance.now() + 20;
  const inFlight = new Set<Promise<void>>();
  const send = (i: number, due: number) => {
    const instance = instances[i % instances.length]!;
    const url = new URL(
      `${instance.url}/api/accounts/${accountIds[Math.floor(Math.random() * accountIds.length)]}/withdrawals`,
    );
    const body = '{"amount":"0.01"}';
    const p = new Promise<void>((resolve) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'idempotency-key': `"${randomUUID()}"`,
            authorization: instance.authorization ?? '',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 201) {
              ok++;
              latency.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000)));
            } else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };
  for (let i = 0; i < total;) {
    const now = performance.now();
    while (i < total && start + (i * 1000) / rate <= now) {
      send(i, start + (i * 1000) / rate);
      i++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const cpu = meter();
  return { connections: 0, rate, ok, errors, okPerSecond: ok / seconds, latency: summarize(latency), cpu };
}

export async function runHttpBench(
  server: BenchServer,
  config: HttpConfig,
  log: (line: string) => void,
): Promise<HttpResult> {
  const build = prepareApp(config.appDir, log);
  const poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 10);
  const rows: HttpRow[] = [];
  const accountIdsOf = new Map<string, string[]>();
  const authorizationOf = new Map<string, string>();
  for (const count of config.instances) {
    const url = await server.freshDatabase(`bench_http_${count}`);
    await migrate(url);
    const instances: Instance[] = [];
    try {
      for (let i = 0; i < count; i++) instances.push(await startInstance(config.appDir, url));
      // One customer's API key on every instance (the customer API needs a caller; sign-in needs a verified email).
      verifyEmailsWith(instances[0]!.url, verifyInDatabase(url));
      const authorization = await apiKeyAuthorization(instances[0]!.url, 'bench');
      for (const instance of instances) instance.authorization = authorization;
      authorizationOf.set(url, authorization);
      const rssIdleMiB = instances.map((i) => instanceRss(i.pid).serverMiB);
      const accountIds: string[] = [];
      for (let i = 0; i < config.accounts; i++) {
        const opened = await api(instances[i % count]!, '/api/accounts', {
          name: `bench ${i}`,
          openingDeposit: '1000000.00',
        });
        if (opened.status !== 201)
          throw new Error(`POST /api/accounts: ${opened.status} ${JSON.stringify(opened.json)}`);
        accountIds.push(String(opened.json.id));
      }
      accountIdsOf.set(url, accountIds);
      log(
        `http: ${count} instance(s) up (RSS ${rssIdleMiB.map((m) => m.toFixed(0)).join(', ')} MiB), ${accountIds.length} accounts; warming up ${config.warmupSeconds} s`,
      );
      await load(instances, accountIds, config.warmupSeconds, 16, null, server.pgPid);
      const peakTries: LoadResult[] = [];
      for (const connections of config.peakConnections) {
        if (config.quiet) await waitForQuiet(server.pgPid, { ...config.quiet, log });
        const r = await load(instances, accountIds, config.seconds, connections, null, server.pgPid);
        log(
          `  peak try: ${connections} connections → ${r.okPerSecond.toFixed(0)} 201/s (errors ${r.errors}), p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms`,
        );
        peakTries.push(r);
      }
      const peak = peakTries.reduce((a, b) => (b.okPerSecond > a.okPerSecond ? b : a));
      const rate = Math.max(1, Math.floor(peak.okPerSecond / 2));
      if (config.quiet) await waitForQuiet(server.pgPid, { ...config.quiet, log });
      const rssMaxMiB = instances.map(() => 0);
      const sampler = setInterval(
        () => instances.forEach((inst, i) => (rssMaxMiB[i] = Math.max(rssMaxMiB[i]!, instanceRss(inst.pid).serverMiB))),
        500,
      );
      const half = await paced(instances, accountIds, config.seconds, rate, server.pgPid);
      clearInterval(sampler);
      log(
        `  half of peak (${rate}/s): ${half.okPerSecond.toFixed(0)} 201/s (errors ${half.errors}), p50 ${half.latency.p50.toFixed(1)} ms, p99 ${half.latency.p99.toFixed(1)} ms; RSS max ${rssMaxMiB.map((m) => m.toFixed(0)).join(', ')} MiB`,
      );
      rows.push({ instances: count, peak, peakTries, half, rssIdleMiB, rssMaxMiB });
    } finally {
      await Promise.all(instances.map((i) => stopInstance(i)));
    }
    const row = rows.at(-1);
    if (count === 1 && row)
      row.cpuPerRequest = await cpuSplit(
        config,
        url,
        accountIdsOf.get(url) ?? [],
        authorizationOf.get(url),
        row,
        server.pgPid,
        log,
      );
  }
  return { rows, buildStamp: build.stamp, buildSeconds: build.buildSeconds, poolSize };
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * The app's CPU per request split into Next.js and Idem: a second instance runs with V8's
 * --cpu-prof at the same half-of-peak rate; its profile (samples inside that window only: V8 and
 * process.hrtime read the same monotonic clock) gives the shares, which divide the app CPU per
 * request that the CPU counters measured in the unprofiled run. GC and runtime samples, which
 * belong to neither side by their stack, are split in proportion.
 */
async function cpuSplit(
  config: HttpConfig,
  url: string,
  accountIds: string[],
  authorization: string | undefined,
  row: HttpRow,
  pgPid: number | null,
  log: (line: string) => void,
): Promise<HttpRow['cpuPerRequest']> {
  const dir = mkdtempSync(path.join(tmpdir(), 'idem-bench-app-profile-'));
  try {
    const instance = await startInstance(config.appDir, url, {}, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      '--cpu-prof-interval=500',
    ]);
    instance.authorization = authorization;
    let from = 0;
    let to = 0;
    try {
      await load([instance], accountIds, config.warmupSeconds, 16, null, pgPid);
      from = nowUs();
      await paced([instance], accountIds, config.seconds, row.half.rate ?? 1, pgPid);
      to = nowUs();
    } finally {
      await stopInstance(instance);
    }
    const shares = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => attributeAppProfile(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile, from, to))
      .reduce((a, b) => (b.samples > a.samples ? b : a), { next: 0, idem: 0, auth: 0, unattributed: 1, samples: 0 });
    if (shares.samples === 0) {
      log('  cpu split: no profile samples in the window (was the profile written on exit?)');
      return undefined;
    }
    const appMs = (row.half.cpu.app! / row.half.okPerSecond) * 1000;
    const pgMs = (row.half.cpu.postgres! / row.half.okPerSecond) * 1000;
    const attributed = shares.next + shares.idem || 1;
    const split = {
      next: appMs * (shares.next / attributed),
      idem: appMs * (shares.idem / attributed),
      auth: appMs * (shares.auth / attributed),
      postgres: pgMs,
      method: `app CPU ${appMs.toFixed(2)} ms/request (counters, unprofiled run) split by a --cpu-prof profile of the same load: Next.js ${(shares.next * 100).toFixed(0)} %, Idem ${(shares.idem * 100).toFixed(0)} % (of which API-key auth ${(shares.auth * 100).toFixed(0)} %), GC/runtime ${(shares.unattributed * 100).toFixed(0)} % (split in proportion); ${shares.samples} samples`,
    };
    log(
      `  cpu per request: Next.js ${split.next.toFixed(2)} ms, Idem ${split.idem.toFixed(2)} ms (auth ${split.auth.toFixed(2)}), PostgreSQL ${split.postgres.toFixed(2)} ms (${split.method})`,
    );
    return split;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
