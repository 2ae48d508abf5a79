import { test as base, expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import pg from 'pg';
import { e2eDatabaseUrl } from '../playwright.config';

type Account = { id: string; owner: string; url: string; accountNumber: string };
export type Customer = { id: string; name: string; email: string; password: string };

type Fixtures = {
  db: pg.Pool;
  /** Tests run signed in as a fresh customer unless a file says `test.use({ signedIn: false })`. */
  signedIn: boolean;
  /** The fresh customer `page` is signed in as (unique email; signed up over the auth API). */
  customer: Customer;
  signedInCustomer: Customer | null;
  /** A fresh account of `customer`, opened through the UI, with $200.00. */
  account: Account;
};

let clients = 0;
/**
 * A client address of its own for each context: sign-in and sign-up are rate limited per address,
 * and every browser here really comes from 127.0.0.1.
 */
export const clientAddress = () =>
  `10.${process.pid % 250}.${Math.floor(Math.random() * 250)}.${(++clients % 250) + 1}`;

export const test = base.extend<Fixtures>({
  extraHTTPHeaders: async ({}, provide) => provide({ 'x-forwarded-for': clientAddress() }),
  signedIn: [true, { option: true }],
  db: async ({}, provide) => {
    const pool = new pg.Pool({ connectionString: e2eDatabaseUrl(), max: 2 });
    await provide(pool);
    await pool.end();
  },
  signedInCustomer: [
    async ({ signedIn, context, baseURL }, provide) => {
      await provide(signedIn ? await signUp(context, baseURL!) : null);
    },
    { auto: true },
  ],
  customer: async ({ signedInCustomer }, provide) => {
    if (!signedInCustomer) throw new Error('this test needs `signedIn: true`');
    await provide(signedInCustomer);
  },
  account: async ({ page, customer }, provide) => {
    expect(customer.id).toBeTruthy(); // opened by (and, with ownership, owned by) this customer
    await provide(await openAccount(page, `Test owner ${Math.random().toString(36).slice(2, 8)}`, '200.00'));
  },
});

export { expect };

export const uniqueEmail = (label = 'customer') =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;

/**
 * Signs a fresh customer up over the auth API, marks their email verified in the database (as the
 * mailed link would; e2e/mail.spec.ts follows real links) and signs them in: the session cookie
 * lands in `context`.
 */
export async function signUp(
  context: BrowserContext,
  baseURL: string,
  name = `Customer ${Math.random().toString(36).slice(2, 8)}`,
): Promise<Customer> {
  const customer = { name, email: uniqueEmail(), password: `pw ${Math.random().toString(36).slice(2)}` };
  const response = await context.request.post('/api/auth/sign-up/email', {
    data: customer,
    headers: { origin: baseURL },
  });
  expect(response.status(), await response.text()).toBe(200);
  const { user } = (await response.json()) as { user: { id: string } };
  await markEmailVerified(user.id);
  await signInAs(context, baseURL, customer);
  return { id: user.id, ...customer };
}

/** What following the verification link does to the user row, for tests that are not about the link. */
async function markEmailVerified(userId: string): Promise<void> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('UPDATE users SET email_verified = true WHERE id = $1', [userId]);
    expect(rowCount).toBe(1);
  } finally {
    await client.end();
  }
}

/** Signs `context` in as an existing customer over the auth API (a second browser of theirs). */
export async function signInAs(
  context: BrowserContext,
  baseURL: string,
  customer: { email: string; password: string },
): Promise<void> {
  const response = await context.request.post('/api/auth/sign-in/email', {
    data: { email: customer.email, password: customer.password },
    headers: { origin: baseURL },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/**
 * Waits until React owns `form` (its `data-hydrated` mark). The forms work before that too (a plain
 * POST the server answers with a page), but a test of the enhanced client (one request on a
 * double-click, a captured action call) must not race it.
 */
export async function hydrated(form: Locator): Promise<void> {
  await expect(form).toHaveAttribute('data-hydrated', 'true');
}

export type ActionKind = 'Deposit' | 'Withdraw' | 'Transfer';

/**
 * An account page's action form, opened: the page shows Deposit, Withdraw and Transfer as buttons
 * (once hydrated), each opening its form in a dialog; another open dialog is closed first. On an
 * action's own page the form is already there. Returns the form, visible and hydrated.
 */
export async function actionForm(page: Page, kind: ActionKind): Promise<Locator> {
  const form = page.getByRole('form', { name: kind });
  if (!(await form.isVisible())) {
    const dialog = page.getByRole('dialog');
    if ((await dialog.count()) > 0) {
      await page.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);
    }
    await page.getByRole('group', { name: 'Account actions' }).getByRole('button', { name: kind, exact: true }).click();
    await expect(form).toBeVisible();
  }
  await hydrated(form);
  return form;
}

/** Sets a field of a captured multipart body (a server action call or a plain form POST) to `value`. */
export function withField(body: string, field: string, value: string): string {
  // A plain POST names the field as is; an action call prefixes it with its argument ("_1_amount").
  const pattern = new RegExp(`(name="(?:_?\\d+_)?${field}"\r\n\r\n)[^\r]*`);
  if (!pattern.test(body)) throw new Error(`no field ${field} in the captured body`);
  return body.replace(pattern, (_match, head: string) => `${head}${value}`);
}

/** Opens an account of the signed-in customer through the form on `/`; `owner` is the account name. */
export async function openAccount(page: Page, owner: string, openingDeposit: string): Promise<Account> {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Open account' });
  await form.getByLabel('Account name').fill(owner);
  await form.getByLabel('Opening deposit').fill(openingDeposit);
  await expect(form.getByRole('button', { name: 'Open account' })).toBeEnabled();
  await form.getByRole('button', { name: 'Open account' }).click();
  await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: owner })).toBeVisible();
  const id = page.url().split('/').pop()!;
  const accountNumber = (await page.getByTestId('account-number').textContent())!.replace(/\s/g, '');
  expect(accountNumber).toMatch(/^\d{12}$/);
  return { id, owner, url: `/accounts/${id}`, accountNumber };
}

/** Opens an account with a plain form POST (a page without JavaScript); the action redirects to the new account's page. */
export async function openAccountWithoutJs(page: Page, owner: string, openingDeposit: string) {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Open account' });
  await form.getByLabel('Account name').fill(owner);
  await form.getByLabel('Opening deposit').fill(openingDeposit);
  await form.getByRole('button', { name: 'Open account' }).click();
  await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  const accountNumber = (await page.getByTestId('account-number').textContent())!.replace(/\s/g, '');
  return { id, accountNumber };
}

export async function eventCount(db: pg.Pool, accountId: string, type?: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM events WHERE stream_id = $1 AND ($2::text IS NULL OR type = $2)',
    [`account-${accountId}`, type ?? null],
  );
  return Number(rows[0]!.n);
}

export async function commandCount(db: pg.Pool, accountId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM commands WHERE $1 = ANY(stream_ids)', [
    `account-${accountId}`,
  ]);
  return Number(rows[0]!.n);
}

/**
 * Gives the page's browser a platform authenticator (Chromium's virtual one, over CDP) that
 * creates resident keys and verifies the user without asking: a passkey can be added and used.
 */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}
