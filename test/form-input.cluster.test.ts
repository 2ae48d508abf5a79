// Bad amounts sent to the money forms' server actions, past the browser: with
// JavaScript the form validates before anything is sent, so the browser tests never show what the
// server does with a bad amount. Here each one is posted as the no-JavaScript form does (the
// server-rendered form's fields, multipart, the session cookie), against a production build on a
// database of its own: the page comes back with the field error and the same key, and every table
// (listed from information_schema) is exactly as before.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpApiCustomer } from './api-client';
import { startCluster, type Cluster } from '../lib/cluster';
import { dumpTables } from './table-dump';

// The browser tests' bad amounts (e2e/accounts.spec.ts) and a few more. "$5", "1,000.00" and
// " 12.00 " are not here: the forms take amounts as people write them (the API does not).
const BAD_AMOUNTS: [string, RegExp][] = [
  ['abc', /Enter an amount in dollars/],
  ['-5', /cannot be negative/],
  ['0', /greater than zero/],
  ['1.234', /at most 2 decimal places/],
  ['1e3', /Enter an amount in dollars/],
  ['', /Enter an amount/],
  ['99999999999', /at most \$1,000,000\.00/],
  ['NaN', /Enter an amount in dollars/],
  ['1.2.3', /Enter an amount in dollars/],
  ['<b>5</b>', /Enter an amount in dollars/],
];

let cluster: Cluster;
let db: pg.Client;
let url: string;
let cookie: string;
let accountPage: string;

/** The fields of the form labelled `label` in a server-rendered page (hidden action fields included). */
function formFields(html: string, label: string): [string, string][] {
  const form = new RegExp(`<form[^>]*aria-label="${label}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  if (!form) throw new Error(`no form "${label}" in the page`);
  const decode = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...form.matchAll(/<input\b[^>]*>/g)].flatMap(([input]) => {
    const name = /\bname="([^"]*)"/.exec(input)?.[1];
    return name === undefined ? [] : [[decode(name), decode(/\bvalue="([^"]*)"/.exec(input)?.[1] ?? '')] as [string, string]];
  });
}

/**
 * Every table, once the asynchronous projection has caught up with the log (its runner writes on its
 * own schedule; a comparison must not catch it mid-way through events older than the case).
 */
async function dump(): Promise<Record<string, string>> {
  for (let caughtUp = false; !caughtUp; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const { rows } = await db.query<{ ok: boolean }>(
      `SELECT coalesce((SELECT sum(events_processed) FROM projection_checkpoints), 0) = (SELECT count(*) FROM events) AS ok`,
    );
    caughtUp = rows[0]!.ok;
  }
  return dumpTables(async (sql) => (await db.query(sql)).rows);
}

beforeAll(async () => {
  cluster = await startCluster({ instances: 1 });
  url = cluster.instances[0]!.url;
  db = new pg.Client({ connectionString: cluster.postgres.url });
  await db.connect();
  const customer = await signUpApiCustomer(url, 'Form Input');
  cookie = customer.cookie!;
  const opened = await fetch(`${url}/api/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'form-input-open', authorization: customer.authorizations[0]! },
    body: JSON.stringify({ name: 'Form Input', openingDeposit: '200.00' }),
  });
  expect(opened.status).toBe(201);
  accountPage = `${url}/accounts/${((await opened.json()) as { id: string }).id}`;
});
afterAll(async () => {
  await db?.end();
  await cluster?.stop();
});

describe('bad amounts posted to the money forms without JavaScript change nothing', () => {
  for (const form of ['Withdraw', 'Deposit']) {
    it.each(BAD_AMOUNTS)(`${form}: %j → the field error, the same key, every table unchanged`, async (amount, message) => {
      const page = await fetch(accountPage, { headers: { cookie } });
      expect(page.status).toBe(200);
      const fields = formFields(await page.text(), form);
      const key = fields.find(([name]) => name === 'commandId')?.[1];
      expect(key).toBeTruthy();
      expect(
        fields.some(([name]) => name.startsWith('$ACTION')),
        'the form posts to its server action',
      ).toBe(true);
      const body = new FormData();
      for (const [name, value] of fields) body.append(name, name === 'amount' ? amount : value);
      if (!fields.some(([name]) => name === 'amount')) body.append('amount', amount);

      const before = await dump();
      const response = await fetch(accountPage, { method: 'POST', headers: { cookie, origin: url }, body });
      const html = await response.text();
      expect(response.status).toBe(200);
      const error = /<p id="[^"]*-error" class="field-error" role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
      expect(error.replace(/&#x27;/g, "'")).toMatch(message);
      expect(html).toMatch(/aria-invalid="true"/);
      // Nothing was recorded, so the form keeps its key (a recorded command would get a new one).
      expect(formFields(html, form).find(([name]) => name === 'commandId')?.[1]).toBe(key);
      expect(await dump()).toEqual(before);
    });
  }

  it('a good amount through the same path is recorded (the post reaches the action)', async () => {
    const page = await fetch(accountPage, { headers: { cookie } });
    const fields = formFields(await page.text(), 'Withdraw');
    const body = new FormData();
    for (const [name, value] of fields) body.append(name, name === 'amount' ? '1.00' : value);
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    const response = await fetch(accountPage, { method: 'POST', headers: { cookie, origin: url }, body });
    expect(await response.text()).toContain('Withdrew $1.00 · new balance $199.00');
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);
  });
});
