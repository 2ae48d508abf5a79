// Standing orders paid by the schedulers of three instances at once: 50 orders, a schedule
// fast-forwarded month after month through a test clock (each instance's own, skewed by up to 30 s),
// one instance killed with SIGKILL mid-run and started again. Afterwards: exactly one transfer per
// order and due day, every refusal recorded once, money conserved, and the invariant checker passes.
// CI runs STANDING_ORDER_MONTHS=3 (the default); `npm run test:standing-orders` runs the full 12.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, dueDay, type Every } from '../lib/standing-orders/domain/schedule';
import { signUpApiCustomer, type ApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';
import { checkInvariants } from './invariants';

const MONTHS = Number(process.env.STANDING_ORDER_MONTHS ?? '3');
const INSTANCES = 3;
const ORDERS = 50;
/** How far each instance's clock runs ahead of the base test clock (up to 30 s apart). */
const SKEW_MS = [0, 15_000, 30_000];

let cluster: Cluster;
let db: pg.Client;
const dir = mkdtempSync(path.join(tmpdir(), 'idem-clock-'));
const clockFile = (i: number) => path.join(dir, `clock-${i}`);
const today = new Date().toISOString().slice(0, 10);

/** Every instance's clock at noon (UTC) of `day`, plus its skew: 30 s never crosses a midnight here. */
function setClock(day: string) {
  const target = Date.parse(`${day}T12:00:00.000Z`);
  for (let i = 0; i < INSTANCES; i++) writeFileSync(clockFile(i), String(target + SKEW_MS[i]! - Date.now()));
}

beforeAll(async () => {
  setClock(today);
  cluster = await startCluster({
    instances: INSTANCES,
    poolSize: 5,
    env: { IDEM_SCHEDULER_INTERVAL: '0.2', IDEM_SCHEDULER_BATCH: '20' },
    instanceEnv: (i) => ({ IDEM_SCHEDULER_TEST_CLOCK_FILE: clockFile(i) }),
  });
  db = new pg.Client({ connectionString: cluster.postgres.url });
  await db.connect();
}, 240_000);

afterAll(async () => {
  await db?.end();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(
  url: string,
  auth: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, string> }> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: auth,
      ...(body ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}

type Plan = { id: string; every: Every; first: string; amountCents: number; fundedCents: number; from: string };

/** Orders waiting for work at the base clock's day: running, or with a payment whose day has come. */
const behind = async (day: string) =>
  Number(
    (
      await db.query(
        `SELECT count(*) FROM standing_orders WHERE running_due_on IS NOT NULL OR next_attempt_on <= $1::date`,
        [day],
      )
    ).rows[0].count,
  );

it(`${ORDERS} standing orders over ${MONTHS} months on ${INSTANCES} instances: one transfer per order and due day`, async () => {
  const urls = cluster.urls();
  const customers: ApiCustomer[] = [];
  for (let c = 0; c < 5; c++) customers.push(await signUpApiCustomer(urls[c % INSTANCES]!, `payer ${c}`));
  const auth = (c: number) => customers[c % customers.length]!.authorizations[0]!;
  const payee = await call(`${urls[0]}/api/accounts`, auth(0), 'POST', { name: 'Payee', openingDeposit: '0.00' });
  expect(payee.status).toBe(201);

  // Each order pays from an account of its own, funded for some of its payments only: the later
  // ones are refused, retried the next day, and recorded refused.
  const plans: Plan[] = [];
  const everies: Every[] = ['week', 'month', 'month-end'];
  for (let n = 0; n < ORDERS; n++) {
    const url = urls[n % INSTANCES]!;
    const amountCents = 1_000 + n * 10;
    const fundedCents = amountCents * (2 + (n % 7));
    const account = await call(`${url}/api/accounts`, auth(n), 'POST', {
      name: `Payer ${n}`,
      openingDeposit: (fundedCents / 100).toFixed(2),
    });
    expect(account.status).toBe(201);
    const every = everies[n % 3]!;
    const first = addDays(today, n % 5);
    const created = await call(`${url}/api/accounts/${account.json.id}/standing-orders`, auth(n), 'POST', {
      toAccountNumber: payee.json.accountNumber,
      amount: (amountCents / 100).toFixed(2),
      every,
      firstPaymentOn: first,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    plans.push({ id: created.json.id!, every, first, amountCents, fundedCents, from: account.json.id! });
  }

  // Fast-forward a week at a time; halfway, instance 1 is killed with SIGKILL, and restarted a
  // few weeks later. Each step waits until the schedulers have caught up with the clock.
  const weeks = Math.ceil((MONTHS * 31) / 7);
  const killAt = Math.floor(weeks / 2);
  let day = today;
  for (let w = 1; w <= weeks; w++) {
    day = addDays(today, 7 * w);
    setClock(day);
    if (w === killAt) {
      await new Promise((resolve) => setTimeout(resolve, 150)); // its look is under way
      await cluster.kill(1);
    }
    if (w === killAt + 2) await cluster.restart(1);
    await expect.poll(() => behind(day), { timeout: 120_000, interval: 200 }).toBe(0);
  }
  const end = day;

  // Exactly what the schedule says, per order: every due day up to the end has one outcome, paid
  // while the money lasted (one transfer each), refused after (two refused tries, one refusal).
  let paidTotal = 0;
  let refusedTotal = 0;
  for (const plan of plans) {
    const due: string[] = [];
    for (let n = 0; dueDay(plan.every, plan.first, n) <= end; n++) due.push(dueDay(plan.every, plan.first, n));
    // The last due day's retry is tomorrow: it is still pending if that payment was refused.
    const affordable = Math.floor(plan.fundedCents / plan.amountCents);
    const { rows: occurrences } = await db.query(
      `SELECT to_char(due_on, 'YYYY-MM-DD') AS day, status FROM standing_order_occurrences WHERE standing_order_id = $1 ORDER BY due_on`,
      [plan.id],
    );
    expect(occurrences.map((o) => o.day)).toEqual(due);
    due.forEach((d, i) => {
      const expected = i < affordable ? 'paid' : d === end ? 'pending' : 'refused';
      expect(occurrences[i]!.status, `${plan.id} ${d}`).toBe(expected);
    });
    const { rows: transfers } = await db.query(
      `SELECT command_id, status FROM commands WHERE type = 'TransferMoney' AND command_id LIKE $1 ORDER BY command_id`,
      [`standing-order:${plan.id}:%`],
    );
    const accepted = transfers.filter((t) => t.status === 'accepted');
    expect(accepted.length).toBe(Math.min(affordable, due.length));
    expect(new Set(accepted.map((t) => t.command_id.replace(/:retry$/, ''))).size).toBe(accepted.length);
    paidTotal += accepted.length;
    const { rows: refusals } = await db.query(
      `SELECT data->>'dueOn' AS day, count(*)::int AS n FROM events WHERE stream_id = $1 AND type = 'OccurrenceRefused' GROUP BY 1`,
      [`standingorder-${plan.id}`],
    );
    for (const r of refusals) expect(r.n).toBe(1);
    refusedTotal += refusals.length;
  }

  // Money conserved: what was deposited is what the accounts hold, and the payee got every payment.
  const { rows: money } = await db.query(
    `SELECT (SELECT sum(balance_cents) FROM account_balances)::bigint AS held,
              (SELECT sum((data->>'amountCents')::bigint) FROM events WHERE type = 'MoneyDeposited')::bigint AS deposited,
              (SELECT balance_cents FROM account_balances WHERE account_id = $1)::bigint AS payee`,
    [payee.json.id],
  );
  expect(money[0].held).toBe(money[0].deposited);
  const paidCents = await db.query(
    `SELECT coalesce(sum(amount_cents), 0)::bigint AS cents FROM account_transactions WHERE account_id = $1 AND kind = 'transfer-in'`,
    [payee.json.id],
  );
  expect(money[0].payee).toBe(paidCents.rows[0].cents);

  await checkInvariants(db, [], { allowUnobservedCommands: true });
  console.log(
    `standing orders: ${ORDERS} orders, ${MONTHS} months (${weeks} weekly clock steps, instance 1 killed at step ${killAt}): ${paidTotal} payments, ${refusedTotal} refusals recorded`,
  );
}, 900_000);
