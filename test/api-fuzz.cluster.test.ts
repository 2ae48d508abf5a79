// A property-based fuzz of the customer API, against a `next start` instance of
// the production build: fast-check generates sequences of valid and invalid requests from three
// customers (four API keys, a revoked key, unknown and malformed credentials, a browser session),
// sent one after another. Every answer must be what a model of the ledger predicts (statuses,
// problem types, balances, replays of a reused key, conflicts of a key reused for another request),
// never a 5xx; every request that must change nothing — each 4xx, replay and read — must leave every
// table as it was (a business rejection adds exactly its own command row); and after each run the
// invariant checker (test/invariants.ts) passes on the whole ledger.
//
// IDEM_FUZZ_RUNS raises the number of runs (default 40, about a minute); IDEM_FUZZ_SEED (and IDEM_FUZZ_PATH)
// replay a failure that fast-check printed; IDEM_FUZZ_SHRINK=0 reports the first failure unshrunk.
// IDEM_TEST_BASE_PORT pins the instance's port (base+30).
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionArb, coverageExample, KEYS_PER_CUSTOMER, type Action } from './api-fuzz/actions';
import { chunked, send, type Credentials, type FuzzCustomer } from './api-fuzz/requests';
import { FuzzRun, type FuzzContext } from './api-fuzz/runner';
import { changedTables, snapshot, snapshotQuery } from './api-fuzz/table-snapshot';
import { signUpVerified } from './api-client';
import { startCluster, type Cluster } from './cluster';
import { checkInvariants, type Observation } from './invariants';
import { coverage } from './openapi-validator';

const RUNS = Number(process.env.IDEM_FUZZ_RUNS ?? 40);
const base = process.env.IDEM_TEST_BASE_PORT ? Number(process.env.IDEM_TEST_BASE_PORT) + 30 : undefined;

let cluster: Cluster;
let db: pg.Client;
let ctx: FuzzContext;

/** A customer signed up in a browser: the session cookie, and API keys made with it. */
async function signUp(url: string, keys: number) {
  const headers = {
    'content-type': 'application/json',
    origin: url,
    'x-forwarded-for': `10.79.${randomBytes(1)[0]}.${(randomBytes(1)[0]! % 250) + 1}`,
  };
  const { id, cookie } = await signUpVerified(url, headers, {
    name: 'Fuzz Customer',
    email: `fuzz-${randomBytes(6).toString('hex')}@example.test`,
    password: randomBytes(12).toString('hex'),
  });
  const createKey = async () => {
    const created = await fetch(`${url}/api/auth/api-key/create`, {
      method: 'POST',
      headers: { ...headers, cookie },
      body: JSON.stringify({ name: 'fuzz' }),
    });
    expect(created.status).toBe(200);
    return (await created.json()) as { id: string; key: string };
  };
  const authorizations: string[] = [];
  for (let i = 0; i < keys; i++) authorizations.push(`Bearer ${(await createKey()).key}`);
  const revoke = async () => {
    const { id, key } = await createKey();
    const deleted = await fetch(`${url}/api/auth/api-key/delete`, {
      method: 'POST',
      headers: { ...headers, cookie },
      body: JSON.stringify({ keyId: id }),
    });
    expect(deleted.status).toBe(200);
    return `Bearer ${key}`;
  };
  return { customer: { id, authorizations } satisfies FuzzCustomer, cookie, revoke };
}

beforeAll(async () => {
  // better-auth's per-key limit restarts its window only after a pause as long as the window (its
  // `evaluateRateLimit` compares with the LAST request), so a key in steady use is refused after
  // 1000 requests however slowly they come: long fuzz runs would end in 429s. Rate limits are issue
  // 14 item 7; here the limit stays on (its counters are written) but out of reach.
  cluster = await startCluster({
    instances: 1,
    poolSize: 5,
    basePort: base,
    env: { IDEM_API_KEY_RATE_LIMIT: '1000000/60' },
  });
  const url = cluster.urls()[0]!;
  const signedUp = [];
  for (const keys of KEYS_PER_CUSTOMER) signedUp.push(await signUp(url, keys));
  const credentials: Credentials = {
    customers: signedUp.map((s) => s.customer),
    revoked: await signedUp[2]!.revoke(),
    cookie: signedUp[0]!.cookie,
  };
  db = new pg.Client({ connectionString: cluster.postgres.url });
  await db.connect();
  ctx = {
    url,
    db,
    snapshotSql: (await snapshotQuery(db)).sql,
    credentials,
    observations: new Map<string, Observation>(),
    stats: {},
  };
  // Every customer starts with an account, so that the first run has money to move and numbers to send it to.
  const run = await FuzzRun.start(ctx);
  for (const customer of KEYS_PER_CUSTOMER.keys()) {
    const open: Action = {
      kind: 'command',
      auth: { kind: 'key', customer, key: 0 },
      key: { slot: customer, quoted: false },
      mutation: 'none',
      command: {
        type: 'open',
        name: { value: `Fuzz ${customer}`, trimmed: `Fuzz ${customer}` },
        openingDeposit: { value: '1000.00', cents: 100_000 },
      },
    };
    await run.step(open);
  }
});

afterAll(async () => {
  await db?.end();
  await cluster?.stop();
});

describe('API fuzz (fast-check) against a running instance', () => {
  // Found by the fuzz: the server stops reading a body at the limit, and Node then destroys the
  // socket — after answering 413 with `Connection: keep-alive`, so the client's NEXT request on
  // that connection failed with ECONNRESET. The 413 now says `Connection: close`.
  it('a body over the limit sent without Content-Length gets 413 and a closed connection: the next request does not fail', async () => {
    const authorization = ctx.credentials.customers[0]!.authorizations[0]!;
    const headers = {
      authorization,
      'content-type': 'application/json',
      'idempotency-key': `big-${randomBytes(4).toString('hex')}`,
    };
    const tooLarge = await send(
      ctx.url,
      'POST',
      '/api/accounts',
      headers,
      chunked('{"name":"Big","padding":"', 300 * 1024),
    );
    expect(tooLarge.status).toBe(413);
    for (let i = 0; i < 3; i++)
      expect((await send(ctx.url, 'GET', '/api/accounts', { authorization })).status).toBe(200);
    expect(tooLarge.headers.get('connection')).toBe('close');
  });

  it('a client still sending a body over the limit gets the 413 once it has sent it, not a reset mid-way', async () => {
    // Over a raw socket, so that what the server does while the client is still sending shows:
    // 20 KB (over the 16 KB limit), a pause, then 280 KB more. Answering and closing at the limit
    // made a client's next write fail (EPIPE, a reset) before it read the answer; the server now
    // reads and drops the rest (up to 1 MiB, for up to 2 s) and answers after the last byte.
    const authorization = ctx.credentials.customers[0]!.authorizations[0]!;
    const { hostname, port } = new URL(ctx.url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let answer = '';
    let reset: Error | null = null;
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    socket.on('error', (error) => (reset = error));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    socket.write(
      [
        'POST /api/accounts HTTP/1.1',
        `host: ${hostname}:${port}`,
        `authorization: ${authorization}`,
        'content-type: application/json',
        `idempotency-key: slow-${randomBytes(4).toString('hex')}`,
        'transfer-encoding: chunked',
        '',
        '',
      ].join('\r\n') + chunk(`{"name":"Slow","padding":"${'x'.repeat(20 * 1024)}`),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answer, 'no answer while the client is still sending').toBe('');
    for (let i = 0; i < 35; i++) socket.write(chunk('x'.repeat(8 * 1024)));
    socket.write(chunk('"}') + '0\r\n\r\n');
    await closed;
    expect(reset).toBeNull();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('payload-too-large');
  });

  it('the table digest sees a change in any table, and only the volatile columns are ignored', async () => {
    const before = await snapshot(db, ctx.snapshotSql);
    await db.query('BEGIN');
    try {
      await db.query(`UPDATE users SET name = name || '!' WHERE id = $1`, [ctx.credentials.customers[1]!.id]);
      await db.query(
        `INSERT INTO verifications (id, identifier, value, expires_at, created_at, updated_at) VALUES ('fuzz', 'fuzz', 'fuzz', now(), now(), now())`,
      );
      await db.query(
        `INSERT INTO command_replays (command_key, replay_count, last_replayed_at) SELECT command_key, 1, now() FROM commands`,
      );
      await db.query('UPDATE api_keys SET request_count = coalesce(request_count, 0) + 1, last_request = now()');
      const changed = changedTables(before, await snapshot(db, ctx.snapshotSql));
      expect(changed.map((c) => c.split(' ')[0])).toEqual(['users', 'verifications']);
    } finally {
      await db.query('ROLLBACK');
    }
    expect(changedTables(before, await snapshot(db, ctx.snapshotSql))).toEqual([]);
  });

  it(
    'never answers 5xx, answers as the model predicts, changes nothing on a refusal, and keeps every ledger invariant',
    async () => {
      const started = Date.now();
      let runs = 0;
      let requests = 0;
      const seed = process.env.IDEM_FUZZ_SEED === undefined ? undefined : Number(process.env.IDEM_FUZZ_SEED);
      await fc.assert(
        fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 30, size: 'medium' }), async (actions) => {
          runs++;
          const run = await FuzzRun.start(ctx);
          for (const action of actions) {
            requests++;
            await run.step(action);
          }
          await checkInvariants(db, [...ctx.observations.values()]);
        }),
        {
          numRuns: RUNS,
          seed,
          path: process.env.IDEM_FUZZ_PATH,
          endOnFailure: process.env.IDEM_FUZZ_SHRINK === '0',
          // Replaying a printed failure runs that failure alone; otherwise the coverage sequence first.
          examples: process.env.IDEM_FUZZ_PATH === undefined ? [[coverageExample()]] : [],
        },
      );
      const report = await checkInvariants(db, [...ctx.observations.values()]);
      console.log(
        `API fuzz: ${runs} runs, ${requests} requests in ${Math.round((Date.now() - started) / 1000)} s; ledger: ${report.commands} commands ` +
          `(${report.acceptedCommands} accepted, ${report.rejectedCommands} rejected), ${report.events} events\n` +
          Object.entries(ctx.stats)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, n]) => `  ${name}: ${n}`)
            .join('\n'),
      );
      // The generator must reach the interesting answers, or the property proves little.
      expect(Object.keys(ctx.stats).some((s) => / 201$/.test(s))).toBe(true);
      expect(Object.keys(ctx.stats).some((s) => / 4\d\d$/.test(s))).toBe(true);
      // Every customer operation answered (each answer validated against the document, headers
      // included, by test/openapi-cluster.setup.ts) with a success and with a client error.
      const customerOperations = [
        'listAccounts',
        'openAccount',
        'getAccount',
        'depositMoney',
        'withdrawMoney',
        'listAccountEvents',
        'transferMoney',
      ];
      const reached = coverage().filter((c) => customerOperations.includes(c.operationId));
      expect(reached.map((c) => c.operationId).sort()).toEqual([...customerOperations].sort());
      expect(
        reached.filter(
          (c) => !c.statuses.some((s) => s >= 200 && s < 300) || !c.statuses.some((s) => s >= 400 && s < 500),
        ),
      ).toEqual([]);
    },
    30 * 60_000,
  );
});
