// Operability of real `next start` instances: health and readiness, Prometheus metrics,
// structured logs, OpenTelemetry traces to an OTLP receiver, and graceful shutdown on SIGTERM.
// Set IDEM_TEST_BASE_PORT to pin the ports (two instances on base+0 and base+1); default free ports.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { freePort } from '../lib/db/embedded-postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiHeaders, apiKeyAuthorization, getJson, postCommand, useApiKey } from './api-client';
import { startCluster, type Cluster } from './cluster';
import { startOtlpReceiver, type ReceivedSpan } from './otlp-receiver';
import { has, parseMetrics, valueOf, type Sample } from './prometheus-text';

const METRICS_TOKEN = 'metrics-token-for-the-cluster-test';
/** The customer's API key every request sends (a real one: the customer API needs a caller); never logged. */
let SECRET_API_KEY = '';
const basePort = process.env.IDEM_TEST_BASE_PORT ? Number(process.env.IDEM_TEST_BASE_PORT) : undefined;

let cluster: Cluster;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  cluster = await startCluster({
    instances: 2,
    basePort,
    poolSize: 5,
    env: {
      METRICS_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'idem-cluster-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      IDEM_SHUTDOWN_TIMEOUT_MS: '30000',
    },
  });
  const authorization = await apiKeyAuthorization(cluster.instances[0]!.url);
  SECRET_API_KEY = authorization.replace(/^Bearer /, '');
  useApiKey(authorization);
});

afterAll(async () => {
  useApiKey(null);
  await cluster?.stop();
  await receiver?.stop();
});

const url = (i: number, path: string) => cluster.instances[i]!.url + path;

async function scrape(i: number): Promise<Sample[]> {
  const response = await fetch(url(i, '/api/metrics'), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}

async function openAccount(i: number, deposit: string): Promise<string> {
  const answer = await postCommand(url(i, '/api/accounts'), randomUUID(), { name: 'Ops', openingDeposit: deposit });
  if (answer.status !== 201) throw new Error(`open failed: ${JSON.stringify(answer)}`);
  return (JSON.parse(answer.body) as { id: string }).id;
}

/** A request on a connection of its own (no keep-alive pool racing a draining server's closes). */
function fresh(
  target: string,
  method = 'GET',
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target,
      {
        method,
        agent: false,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const withdraw = (i: number, accountId: string, key: string, amount: string, headers: Record<string, string> = {}) =>
  postCommand(url(i, `/api/accounts/${accountId}/withdrawals`), key, { amount }, { headers });

describe('health endpoints', () => {
  it('live and ready answer 200 without authentication and reveal no versions or secrets', async () => {
    for (const path of ['/api/health/live', '/api/health/ready']) {
      const response = await fetch(url(0, path));
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ status: path.endsWith('live') ? 'live' : 'ready' });
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('ready is 503 while a shipped migration is not applied, and while the database is down; live stays 200', async () => {
    const client = new pg.Client({ connectionString: cluster.postgres.url });
    await client.connect();
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'SELECT migration_name AS name, checksum FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1',
    );
    const latest = rows[0]!;
    await client.query('UPDATE _prisma_migrations SET checksum = $2 WHERE migration_name = $1', [
      latest.name,
      'f'.repeat(64),
    ]);
    try {
      const response = await fetch(url(0, '/api/health/ready'));
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const body = (await response.json()) as { type: string; detail: string };
      expect(body.type).toBe('/problems/not-ready');
      expect(body.detail).toMatch(/1 migration\(s\) shipped with this build are not applied/);
      expect(body.detail).not.toContain(latest.name);
    } finally {
      await client.query('UPDATE _prisma_migrations SET checksum = $2 WHERE migration_name = $1', [
        latest.name,
        latest.checksum,
      ]);
      await client.end();
    }
    expect((await fetch(url(0, '/api/health/ready'))).status).toBe(200);

    await cluster.postgres.stopImmediate();
    try {
      const response = await fetch(url(0, '/api/health/ready'));
      expect(response.status).toBe(503);
      const body = (await response.json()) as { detail: string };
      expect(body.detail).toBe('The database did not answer.');
      expect((await fetch(url(0, '/api/health/live'))).status).toBe(200);
    } finally {
      await cluster.postgres.restart();
    }
    await expect
      .poll(async () => (await fetch(url(0, '/api/health/ready'))).status, {
        timeout: 30_000,
        interval: 100,
        message: 'instance 0 ready again after PostgreSQL restarted',
      })
      .toBe(200);
  });
});

describe('metrics', () => {
  it('need the Bearer METRICS_TOKEN', async () => {
    expect((await fetch(url(0, '/api/metrics'))).status).toBe(401);
    expect(
      (await fetch(url(0, '/api/metrics'), { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status,
    ).toBe(401);
  });

  it('count every command outcome, conflicts, attempts, HTTP answers; report the pool, projection lag and Node defaults', async () => {
    const before = await scrape(0);
    const count = (samples: Sample[], outcome: string) =>
      valueOf(samples, 'idem_commands_total', { type: 'WithdrawMoney', outcome });
    const http = (samples: Sample[], status: string) =>
      valueOf(samples, 'idem_http_requests_total', { route: '/api/accounts/[accountId]/withdrawals', status });

    const account = await openAccount(0, '50.00');
    const key = randomUUID();
    expect((await withdraw(0, account, key, '1.00')).status).toBe(201); // accepted
    expect((await withdraw(0, account, key, '1.00')).status).toBe(201); // replayed
    expect((await withdraw(0, account, key, '2.00')).status).toBe(422); // key reused
    expect((await withdraw(0, account, randomUUID(), '900.00')).status).toBe(422); // rejected

    // Concurrent withdrawals on one account until at least one write conflict happened (bounded).
    let burst = 0;
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(Array.from({ length: 16 }, () => withdraw(0, account, randomUUID(), '0.01')));
      burst += answers.length;
      expect(answers.every((a) => a.status === 201)).toBe(true);
      if (
        valueOf(await scrape(0), 'idem_write_conflicts_total', { kind: 'unique' }) >
        valueOf(before, 'idem_write_conflicts_total', { kind: 'unique' })
      )
        break;
    }
    const after = await scrape(0);
    expect(count(after, 'accepted') - count(before, 'accepted')).toBe(1 + burst);
    expect(count(after, 'replayed') - count(before, 'replayed')).toBe(1);
    expect(count(after, 'key_reused') - count(before, 'key_reused')).toBe(1);
    expect(count(after, 'rejected') - count(before, 'rejected')).toBe(1);
    expect(count(after, 'busy') - count(before, 'busy')).toBe(0);
    expect(
      valueOf(after, 'idem_commands_total', { type: 'OpenAccount', outcome: 'accepted' }) -
        valueOf(before, 'idem_commands_total', { type: 'OpenAccount', outcome: 'accepted' }),
    ).toBe(1);
    expect(http(after, '201') - http(before, '201')).toBe(2 + burst);
    expect(http(after, '422') - http(before, '422')).toBe(2);
    expect(
      valueOf(after, 'idem_command_duration_seconds_count', { type: 'WithdrawMoney' }) -
        valueOf(before, 'idem_command_duration_seconds_count', { type: 'WithdrawMoney' }),
    ).toBe(4 + burst);

    // Every retried conflict is one extra attempt: sum(attempts) - count(commands) = conflicts.
    const conflicts = (s: Sample[]) =>
      s.filter((x) => x.name === 'idem_write_conflicts_total').reduce((n, x) => n + x.value, 0);
    const extraAttempts = (s: Sample[]) =>
      valueOf(s, 'idem_command_attempts_sum') - valueOf(s, 'idem_command_attempts_count');
    expect(conflicts(after) - conflicts(before)).toBeGreaterThan(0);
    expect(extraAttempts(after) - extraAttempts(before)).toBe(conflicts(after) - conflicts(before));

    expect(
      valueOf(after, 'idem_db_pool_connections', { state: 'idle' }) +
        valueOf(after, 'idem_db_pool_connections', { state: 'in_use' }),
    ).toBeGreaterThan(0);
    expect(has(after, 'idem_db_pool_connections', { state: 'waiting' })).toBe(true);
    expect(valueOf(after, 'idem_http_requests_in_flight')).toBeGreaterThanOrEqual(1); // this scrape
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(has(after, name), name).toBe(true);
    }
    // The asynchronous projection catches up: lag 0 events, 0 seconds.
    await vi.waitFor(
      async () => {
        const samples = await scrape(0);
        expect(has(samples, 'idem_projection_lag_events', { projection: 'daily-totals' })).toBe(true);
        expect(valueOf(samples, 'idem_projection_lag_events', { projection: 'daily-totals' }), 'projection lag').toBe(
          0,
        );
        expect(valueOf(samples, 'idem_projection_lag_seconds', { projection: 'daily-totals' })).toBe(0);
      },
      { timeout: 20_000, interval: 100 },
    );
  });
});

describe('logs and traces', () => {
  it('a withdrawal is one trace with idem.command, load, decide and commit spans carrying the command id and outcome, plus pg spans', async () => {
    const account = await openAccount(0, '20.00');
    const key = `trace-${randomUUID()}`;
    expect((await withdraw(0, account, key, '3.00')).status).toBe(201);
    const trace: ReceivedSpan[] = await vi.waitFor(
      () => {
        const command = receiver.spans.find(
          (s) => s.name === 'idem.command' && String(s.attributes['idem.command_id']).endsWith(`:${key}`),
        );
        const spans = command ? receiver.spans.filter((s) => s.traceId === command.traceId) : [];
        const names = new Set(spans.map((s) => s.name));
        if (!(
          ['idem.load', 'idem.decide', 'idem.commit'].every((n) => names.has(n)) &&
          spans.some((s) => s.parentSpanId === null)
        )) {
          throw new Error(
            `no complete trace for ${key}; got ${receiver.spans.length} spans: ${[...new Set(receiver.spans.map((s) => s.name))].join(', ')}`,
          );
        }
        return spans;
      },
      { timeout: 30_000, interval: 100 },
    );
    const byName = (name: string) => trace.filter((s) => s.name === name);
    const command = byName('idem.command')[0]!;
    expect(command.attributes).toMatchObject({ 'idem.command_type': 'WithdrawMoney', 'idem.outcome': 'accepted' });
    const commandId = command.attributes['idem.command_id'];
    expect(command.service).toBe('idem-cluster-test');
    for (const step of ['idem.load', 'idem.decide', 'idem.commit']) {
      const span = byName(step)[0]!;
      expect(span.attributes['idem.command_id']).toBe(commandId);
      expect(span.parentSpanId).toBe(command.spanId);
    }
    expect(byName('idem.decide')[0]!.attributes['idem.outcome']).toBe('accepted');
    expect(byName('idem.commit')[0]!.attributes['idem.outcome']).toBe('accepted');
    // One trace for the whole request: Next.js' root span, the command below it, the SQL below that.
    const root = trace.filter((s) => s.parentSpanId === null);
    expect(root).toHaveLength(1);
    // pg's spans sit below the steps that ran the SQL.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const ancestors = (span: ReceivedSpan) => {
      const names: string[] = [];
      for (let p = span.parentSpanId; p && byId.has(p); p = byId.get(p)!.parentSpanId) names.push(byId.get(p)!.name);
      return names;
    };
    // (The request's authentication runs SQL too, before the command: only the command's is checked.)
    const underStep = (step: string) => (span: ReceivedSpan) => ancestors(span).includes(step);
    const pgQueries = trace.filter(
      (s) => s.scope === '@opentelemetry/instrumentation-pg' && s.name.startsWith('pg.query'),
    );
    expect(pgQueries.filter(underStep('idem.load')).length).toBeGreaterThanOrEqual(1);
    expect(pgQueries.filter(underStep('idem.commit')).length).toBeGreaterThanOrEqual(1);
    // The engine's statements run as plain pg on the pool Prisma's adapter owns (Prisma's
    // query runtime was the largest item of the command path's client CPU): no Prisma operation
    // inside the command; Prisma's spans remain for the app's other queries (authentication above).
    const prismaOps = trace.filter((s) => s.name === 'prisma:client:operation' && underStep('idem.command')(s));
    expect(prismaOps).toEqual([]);
  });

  it('one JSON line per command with request id, command id, type, outcome, attempts, duration; no API keys, tokens or bodies', async () => {
    const account = await openAccount(0, '20.00');
    const key = randomUUID();
    const requestId = `req-${randomUUID()}`;
    const answer = await withdraw(0, account, key, '7.77', { 'x-request-id': requestId });
    expect(answer.status).toBe(201);
    expect(answer.status === 201 && answer.headers.get('x-request-id')).toBe(requestId);
    const output = cluster.instances[0]!.output;
    const line = await vi.waitFor(
      () => {
        const found = output
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => String(l.commandId).endsWith(`:${key}`));
        if (!found) throw new Error(`no log line for command ${key}`);
        return found;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(line).toMatchObject({
      level: 'info',
      msg: 'command',
      requestId,
      commandType: 'WithdrawMoney',
      outcome: 'accepted',
      attempts: 1,
      service: 'idem',
    });
    // Command ids are scoped per customer (<customer id>:<Idempotency-Key>); the line names the customer.
    expect(line.commandId).toBe(`${String(line.customerId)}:${key}`);
    expect(typeof line.durationMs).toBe('number');
    expect(typeof line.time).toBe('string');
    const all = output.join('\n');
    expect(all).not.toContain(SECRET_API_KEY);
    expect(all).not.toContain(METRICS_TOKEN);
    // The amount as a value of its own (a timestamp such as 16:02:07.773Z contains the digits too).
    expect(all).not.toMatch(/(?<![\d.:])7\.77(?!\d)/);
    expect(all).not.toMatch(/password/i);
  });
});

/**
 * The instance whose projection runner holds the projection's advisory lock (its session's
 * application_name is idem-projections-<pid>), polled until one does (bounded).
 */
async function projectionLeader(): Promise<number> {
  const client = new pg.Client({ connectionString: cluster.postgres.url });
  await client.connect();
  try {
    return await vi.waitFor(
      async () => {
        const { rows } = await client.query<{ name: string }>(
          `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1`,
          [0x1de5],
        );
        const pids = rows.map((r) => Number(r.name.replace('idem-projections-', '')));
        const index = cluster.instances.findIndex((instance) => instance.alive && pids.includes(instance.pid!));
        if (index < 0) throw new Error(`no instance leads the projection (lock holders: ${JSON.stringify(rows)})`);
        return index;
      },
      { timeout: 30_000, interval: 100 },
    );
  } finally {
    await client.end();
  }
}

describe('graceful shutdown', () => {
  it('SIGTERM: ready 503 at once, new commands refused (retryable), the in-flight request completes, leadership released, exit 0', async () => {
    const leader = await projectionLeader();
    const other = 1 - leader;
    const account = await openAccount(other, '30.00');

    // A withdrawal whose body arrives slowly: in flight on the leader when SIGTERM comes.
    const key = randomUUID();
    const body = JSON.stringify({ amount: '5.00' });
    let slowRequest: ReturnType<typeof httpRequest> | undefined;
    const slow = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        url(leader, `/api/accounts/${account}/withdrawals`),
        { method: 'POST', agent: false, headers: { ...apiHeaders(key), 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      slowRequest = req;
    });
    await expect
      .poll(async () => valueOf(await scrape(leader), 'idem_http_requests_in_flight'), {
        timeout: 10_000,
        interval: 50,
        message: 'the slow request reached the server',
      })
      .toBeGreaterThanOrEqual(2);

    const instance = cluster.instances[leader]!;
    process.kill(-instance.pid!, 'SIGTERM');
    const ready = await vi.waitFor(
      async () => {
        const answer = await fresh(url(leader, '/api/health/ready'));
        if (answer.status === 200) throw new Error('readiness still 200 after SIGTERM');
        return answer;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(ready.status).toBe(503);
    expect((JSON.parse(ready.text) as { detail: string }).detail).toBe('The instance is shutting down.');
    const refused = await fresh(
      url(leader, `/api/accounts/${account}/withdrawals`),
      'POST',
      apiHeaders(randomUUID()),
      JSON.stringify({ amount: '1.00' }),
    );
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.text)).toMatchObject({ type: '/problems/service-unavailable' });

    slowRequest!.end(body.slice(5));
    const finished = await slow;
    expect(finished.status).toBe(201);
    expect(JSON.parse(finished.text)).toMatchObject({ amount: '5.00', commandId: key });

    await expect
      .poll(() => instance.alive, { timeout: 30_000, interval: 50, message: 'the instance exited after SIGTERM' })
      .toBe(false);
    expect(instance.exit).toEqual({ code: 0, signal: null });
    expect(instance.output.some((l) => l.includes('"msg":"shutdown complete"'))).toBe(true);
    // The other instance takes the projection over once the leader's session is gone.
    expect(await projectionLeader()).toBe(other);
    await cluster.restart(leader);
    expect((await getJson(url(leader, `/api/accounts/${account}`))).body).toMatchObject({ balance: '25.00' });
  });
});

describe('configuration', () => {
  it('an instance (`next start`) with a wrong value exits 1 at start-up with one line naming the variable', async () => {
    const port = basePort !== undefined ? basePort + 5 : await freePort();
    const start = (wrong: Record<string, string>) =>
      spawnSync('node_modules/.bin/next', ['start', '-p', String(port), '-H', '127.0.0.1'], {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          NEXT_TELEMETRY_DISABLED: '1',
          DATABASE_URL: cluster.postgres.url,
          ...wrong,
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const cases: [Record<string, string>, RegExp][] = [
      [
        { METRICS_PORT: 'nine' },
        /^\[idem\] invalid configuration: METRICS_PORT must be a whole number from 1 to 65535 \(got "nine"\)$/,
      ],
      // Read by next.config.ts too (Next's server-action origins): still one line, no stack trace.
      [
        { IDEM_TRUSTED_ORIGINS: 'not an origin' },
        /^\[idem\] invalid configuration: IDEM_TRUSTED_ORIGINS must be a comma-separated list of http\(s\) origins/,
      ],
    ];
    for (const [wrong, line] of cases) {
      const result = start(wrong);
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.status, output).toBe(1);
      const lines = output.split('\n').filter((l) => l.includes('configuration'));
      expect(lines, output).toHaveLength(1);
      expect(lines[0]).toMatch(line);
      expect(output).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('a production instance missing settings it reads per request names none of them on public pages or in the readiness answer', async () => {
    const port = basePort !== undefined ? basePort + 6 : await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: cluster.postgres.url,
    };
    // No auth secret (required in production): read when a request needs it. (A wrong origin list is
    // refused at start-up since next.config.ts reads it: the test above.)
    delete env.BETTER_AUTH_SECRET;
    const child = spawn('node_modules/.bin/next', ['start', '-p', String(port), '-H', '127.0.0.1'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logged: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => logged.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => logged.push(chunk.toString()));
    try {
      const base = `http://127.0.0.1:${port}`;
      await vi.waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`next start exited:\n${logged.join('')}`);
          const live = await fetch(`${base}/api/health/live`).then(
            (r) => r.ok,
            () => false,
          );
          if (!live) throw new Error(`next start does not serve yet:\n${logged.join('')}`);
        },
        { timeout: 60_000, interval: 100 },
      );
      const anonymous = { 'x-forwarded-for': '10.9.9.9' };
      const paths = [
        '/',
        '/sign-in',
        '/sign-up',
        '/settings',
        '/admin',
        '/api/health/ready',
        '/api/accounts',
        '/api/auth/get-session',
        '/no-such-page',
      ];
      const answers = await Promise.all(
        paths.map(async (path) => ({
          path,
          text: await (await fetch(base + path, { headers: anonymous, redirect: 'manual' })).text(),
        })),
      );
      const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { ...anonymous, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong password' }),
      });
      answers.push({ path: 'POST /api/auth/sign-in/email', text: await signIn.text() });
      const leaks = answers
        .filter((a) => /BETTER_AUTH|IDEM_TRUSTED|DATABASE_URL|not set|invalid configuration|is not a URL/i.test(a.text))
        .map((a) => a.path);
      expect(leaks).toEqual([]);
      // The operator still learns what is wrong: from the log.
      expect(logged.join('')).toMatch(/BETTER_AUTH_SECRET/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
