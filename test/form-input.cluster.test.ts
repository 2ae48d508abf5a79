// Bad amounts sent to the money forms' server actions (Withdraw, Deposit, Transfer — its review
// and its confirmation — and Open account), past the browser: with JavaScript the form validates
// before anything is sent, so the browser tests never show what the server does with a bad amount.
// Here each one is posted as the no-JavaScript form does (the server-rendered form's fields,
// multipart, the session cookie), against a production build on a database of its own: the page
// comes back with the field error and the same key, and every table (listed from
// information_schema, the rate-limit windows and the API keys' bookkeeping included) is exactly as before.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpApiCustomer, type ApiCustomer } from './api-client';
import { startCluster, type Cluster } from './cluster';
import { dumpTables } from './table-dump';
import { formFields, postPageForm } from './server-action-form';

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
let homePage: string;
/** Another customer's account: a good recipient for the transfer cases. */
let payeeNumber: string;

/** Opens an account through the API (a key's request, before any comparison). */
async function openAccount(
  customer: ApiCustomer,
  name: string,
  key: string,
): Promise<{ id: string; accountNumber: string }> {
  const opened = await fetch(`${url}/api/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: customer.authorizations[0]! },
    body: JSON.stringify({ name, openingDeposit: '200.00' }),
  });
  expect(opened.status).toBe(201);
  return (await opened.json()) as { id: string; accountNumber: string };
}

type FormCase = {
  /** The form's aria-label. */
  form: string;
  page: () => string;
  /** The field the bad amount goes into. */
  field: string;
  /** Fields the form needs besides the amount (good values), and the button the browser sends. */
  extra: () => Record<string, string>;
  /** Bad amounts this form takes after all (an opening deposit is optional and may be zero). */
  accepts?: string[];
};

const FORMS: FormCase[] = [
  { form: 'Withdraw', page: () => `${accountPage}/withdraw`, field: 'amount', extra: () => ({}) },
  { form: 'Deposit', page: () => `${accountPage}/deposit`, field: 'amount', extra: () => ({}) },
  // "Review transfer" is what the browser sends first; "Confirm transfer" posted straight away skips the review.
  {
    form: 'Transfer',
    page: () => `${accountPage}/transfer`,
    field: 'amount',
    extra: () => ({ toAccountNumber: payeeNumber, intent: 'review' }),
  },
  {
    form: 'Transfer',
    page: () => `${accountPage}/transfer`,
    field: 'amount',
    extra: () => ({ toAccountNumber: payeeNumber, intent: 'confirm' }),
  },
  {
    form: 'Open account',
    page: () => homePage,
    field: 'openingDeposit',
    extra: () => ({ owner: 'Bad Opening' }),
    accepts: ['', '0'],
  },
];

/**
 * Every table, once the asynchronous projection has caught up with the log (its runner writes on its
 * own schedule; a comparison must not catch it mid-way through events older than the case).
 */
async function dump(): Promise<Record<string, string>> {
  await expect
    .poll(
      async () =>
        (
          await db.query<{ ok: boolean }>(
            `SELECT coalesce((SELECT sum(events_processed) FROM projection_checkpoints), 0) = (SELECT count(*) FROM events) AS ok`,
          )
        ).rows[0]!.ok,
      { timeout: 60_000, interval: 50, message: 'the asynchronous projection caught up with the log' },
    )
    .toBe(true);
  return dumpTables(async (sql) => (await db.query(sql)).rows);
}

/** Posts the form `form` of `pageUrl` as a browser without JavaScript does, with `values` over the page's own fields. */
async function postForm(pageUrl: string, form: string, values: Record<string, string>) {
  const posted = await postPageForm(pageUrl, form, values, { cookie, origin: url });
  expect(posted.key).toBeTruthy();
  expect(
    posted.fields.some(([name]) => name.startsWith('$ACTION')),
    'the form posts to its server action',
  ).toBe(true);
  return { key: posted.key!, response: posted.response, html: posted.html };
}

beforeAll(async () => {
  cluster = await startCluster({ instances: 1 });
  url = cluster.instances[0]!.url;
  db = new pg.Client({ connectionString: cluster.postgres.url });
  await db.connect();
  const customer = await signUpApiCustomer(url, 'Form Input');
  cookie = customer.cookie!;
  // Without JavaScript each action is a page of its own (/accounts/{id}/withdraw, …): the forms are posted there.
  accountPage = `${url}/accounts/${(await openAccount(customer, 'Form Input', 'form-input-open')).id}`;
  homePage = `${url}/`;
  payeeNumber = (await openAccount(await signUpApiCustomer(url, 'Form Payee'), 'Payee', 'form-input-payee'))
    .accountNumber;
});
afterAll(async () => {
  await db?.end();
  await cluster?.stop();
});

describe('bad amounts posted to the money forms without JavaScript change nothing', () => {
  for (const { form, page, field, extra, accepts = [] } of FORMS) {
    const intent = extra().intent ? ` (${extra().intent})` : '';
    it.each(BAD_AMOUNTS.filter(([amount]) => !accepts.includes(amount)))(
      `${form}${intent}: %j → the field error, the same key, every table unchanged`,
      async (amount, message) => {
        const before = await dump();
        const { key, response, html } = await postForm(page(), form, { ...extra(), [field]: amount });
        expect(response.status).toBe(200);
        const error = /<p id="[^"]*-error" class="field-error" role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
        expect(error.replace(/&#x27;/g, "'")).toMatch(message);
        expect(html).toMatch(/aria-invalid="true"/);
        // Nothing was recorded, so the form keeps its key (a recorded command would get a new one).
        expect(formFields(html, form).find(([name]) => name === 'commandId')?.[1]).toBe(key);
        expect(await dump()).toEqual(before);
      },
    );
  }

  // Controls: a good amount through the same path is recorded (the post reaches the action).
  const events = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;

  it('Withdraw: a good amount is recorded', async () => {
    const before = await events();
    const { html } = await postForm(`${accountPage}/withdraw`, 'Withdraw', { amount: '1.00' });
    expect(html).toContain('Withdrew $1.00 · new balance $199.00');
    expect(await events()).toBe(before + 1);
  });

  it('Transfer: a good amount confirmed is recorded (one event per side)', async () => {
    const before = await events();
    const { html } = await postForm(`${accountPage}/transfer`, 'Transfer', {
      toAccountNumber: payeeNumber,
      amount: '2.00',
      intent: 'confirm',
    });
    expect(html).toMatch(/Sent \$2\.00 to/);
    expect(await events()).toBe(before + 2);
  });

  it('Open account: a good opening deposit is recorded (opened, deposited)', async () => {
    const before = await events();
    const { response, html } = await postForm(homePage, 'Open account', {
      owner: 'Good Opening',
      openingDeposit: '3.00',
    });
    expect(response.status).toBe(200);
    expect(html).toContain('Good Opening');
    expect(await events()).toBe(before + 2);
  });
});
