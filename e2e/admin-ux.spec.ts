import AxeBuilder from '@axe-core/playwright';
import { randomUUID } from 'node:crypto';
import type { APIRequestContext, Page } from '@playwright/test';
import type pg from 'pg';
import { e2eAdmin } from './admin-auth';
import { createApiKey, test } from './admin-fixtures';
import { clientAddress, expect, openAccount } from './fixtures';
import { expectTablesFit } from './page-checks';
import { e2eOrigin } from '../playwright.config';
import { accountNumberOf } from '../lib/accounts/domain/account-number';

// The ops console as an operator uses it: the navigation, the dashboard's figures, the
// logs' columns, customers (search, disable, enable), the rebuild confirmation, time travel, and
// every admin page at a laptop's and a phone's size without horizontal overflow or serious axe
// violations. `page` is a signed-in customer who makes the data; `adminPage` looks at it.

const SECTIONS = [
  { link: 'Dashboard', path: '/admin', title: 'Dashboard · Idem' },
  { link: 'Events', path: '/admin/events', title: 'Event history · Idem' },
  { link: 'Commands', path: '/admin/commands', title: 'Command log · Idem' },
  { link: 'Streams', path: '/admin/streams', title: 'Streams · Idem' },
  { link: 'Projections', path: '/admin/projections', title: 'Projections · Idem' },
  { link: 'Customers', path: '/admin/customers', title: 'Customers · Idem' },
  { link: 'Audit log', path: '/admin/audit', title: 'Audit log · Idem' },
];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 740 };

const money = (
  request: APIRequestContext,
  accountId: string,
  kind: 'deposits' | 'withdrawals',
  amount: string,
  key: string = randomUUID(),
) =>
  request.post(`/api/accounts/${accountId}/${kind}`, {
    headers: { 'idempotency-key': key, origin: e2eOrigin },
    data: { amount },
  });

const usd = (cents: number) =>
  `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const spaced = (accountNumber: string) => accountNumber.replace(/(\d{4})(?=\d)/g, '$1 ');

test('the admin navigation: a sidebar on desktop, a menu on phones, the current page marked', async ({
  adminPage: admin,
  account,
}) => {
  await admin.setViewportSize(DESKTOP);
  await admin.goto('/admin');
  const sidebar = admin.getByRole('navigation', { name: 'Admin' });
  await expect(sidebar.getByRole('link')).toHaveText(SECTIONS.map((s) => s.link));
  for (const section of SECTIONS) {
    await sidebar.getByRole('link', { name: section.link, exact: true }).click();
    await expect(admin).toHaveURL(new RegExp(`${section.path}$`));
    await expect(admin).toHaveTitle(section.title);
    await expect(sidebar.getByRole('link', { name: section.link, exact: true })).toHaveAttribute(
      'aria-current',
      'page',
    );
    await expect(sidebar.locator('a[aria-current]')).toHaveCount(1);
  }

  // A page inside a section marks its section (not as the page itself).
  await admin.goto(`/admin/streams/account-${account.id}`);
  await expect(sidebar.getByRole('link', { name: 'Streams', exact: true })).toHaveAttribute('aria-current', 'true');

  await admin.setViewportSize(PHONE);
  await admin.goto('/admin/streams');
  await expect(admin.getByRole('navigation', { name: 'Admin' })).toBeHidden();
  const menu = admin.getByRole('button', { name: 'Menu' });
  await menu.click();
  const sheet = admin.getByRole('dialog', { name: 'Ops console' });
  await expect(sheet).toBeVisible();
  await expect(sheet.getByRole('link', { name: 'Streams', exact: true })).toHaveAttribute('aria-current', 'page');
  await admin.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await expect(menu).toBeFocused();
  await menu.click();
  await sheet.getByRole('link', { name: 'Customers', exact: true }).click();
  await expect(admin).toHaveURL(/\/admin\/customers$/);
  await expect(sheet).toBeHidden();
  await expect(admin).toHaveTitle('Customers · Idem');
});

test('without JavaScript the phone gets the sidebar’s links instead of a menu button that could not open', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: PHONE,
    extraHTTPHeaders: { 'x-forwarded-for': clientAddress() },
  });
  try {
    // Signing in as the admin over the auth API puts the session cookie in this context.
    const signIn = await context.request.post('/api/auth/sign-in/email', {
      data: { email: e2eAdmin.email, password: e2eAdmin.password },
      headers: { origin: baseURL! },
    });
    expect(signIn.status(), await signIn.text()).toBe(200);
    const page = await context.newPage();
    await page.goto('/admin/events');
    const nav = page.getByRole('navigation', { name: 'Admin' });
    await expect(nav.getByRole('link')).toHaveText(SECTIONS.map((s) => s.link));
    await expect(nav.getByRole('link', { name: 'Events', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  } finally {
    await context.close();
  }
});

type Figures = {
  total: string;
  deposits: string;
  depositCount: string;
  withdrawals: string;
  withdrawalCount: string;
  transfers: string;
  rejections: string;
  duplicates: string;
};

/** The dashboard's figures, computed here straight from the tables (not through the app's code). */
async function figuresFromDatabase(db: pg.Pool): Promise<Figures> {
  const { rows } = await db.query<Record<string, string>>(`
    SELECT (SELECT coalesce(sum(balance_cents), 0) FROM account_balances)::text AS total,
           (SELECT count(*) FROM events WHERE type = 'MoneyDeposited' AND created_at > now() - interval '24 hours')::text AS dn,
           (SELECT coalesce(sum((data->>'amountCents')::bigint), 0) FROM events WHERE type = 'MoneyDeposited' AND created_at > now() - interval '24 hours')::text AS dc,
           (SELECT count(*) FROM events WHERE type = 'MoneyWithdrawn' AND created_at > now() - interval '24 hours')::text AS wn,
           (SELECT coalesce(sum((data->>'amountCents')::bigint), 0) FROM events WHERE type = 'MoneyWithdrawn' AND created_at > now() - interval '24 hours')::text AS wc,
           (SELECT coalesce(sum((data->>'amountCents')::bigint), 0) FROM events WHERE type = 'MoneyTransferredOut' AND created_at > now() - interval '24 hours')::text AS tc,
           (SELECT count(*) FROM commands WHERE status = 'rejected' AND created_at > now() - interval '24 hours')::text AS rejected,
           (SELECT coalesce(sum(replay_count), 0) FROM command_replays)::text AS replays`);
  const r = rows[0]!;
  const plural = (n: string, noun: string) => `${Number(n).toLocaleString('en-US')} ${noun}${n === '1' ? '' : 's'}`;
  return {
    total: usd(Number(r.total)),
    deposits: usd(Number(r.dc)),
    depositCount: plural(r.dn!, 'deposit'),
    withdrawals: usd(Number(r.wc)),
    withdrawalCount: plural(r.wn!, 'withdrawal'),
    transfers: usd(Number(r.tc)),
    rejections: Number(r.rejected).toLocaleString('en-US'),
    duplicates: Number(r.replays).toLocaleString('en-US'),
  };
}

async function figuresOnPage(admin: Page): Promise<Figures> {
  const value = (id: string) => admin.getByTestId(`figure-${id}-value`).innerText();
  const count = (id: string) => admin.getByTestId(`figure-${id}`).getByTestId('figure-count').innerText();
  return {
    total: await value('total-balance'),
    deposits: await value('deposits'),
    depositCount: await count('deposits'),
    withdrawals: await value('withdrawals'),
    withdrawalCount: await count('withdrawals'),
    transfers: await value('transfers'),
    rejections: await value('rejections'),
    duplicates: await value('duplicates'),
  };
}

/**
 * The dashboard next to the database, read while nothing else wrote (the other worker's tests write
 * too): the database is read before and after the page; when both reads agree the page must show
 * exactly them.
 */
async function stableDashboard(admin: Page, db: pg.Pool): Promise<Figures> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await figuresFromDatabase(db);
    await admin.goto('/admin');
    const shown = await figuresOnPage(admin);
    const after = await figuresFromDatabase(db);
    if (JSON.stringify(before) !== JSON.stringify(after)) continue;
    expect(shown).toEqual(before);
    return shown;
  }
  throw new Error('the database never stood still for one dashboard load');
}

const cents = (text: string) => Math.round(Number(text.replace(/[$,]/g, '')) * 100);

test('the dashboard’s figures are the ledger’s: balances, 24 h movements, rejections, duplicates absorbed', async ({
  page,
  adminPage: admin,
  account,
  db,
}) => {
  const before = await stableDashboard(admin, db);
  await expect(admin.getByTestId('figure-projection-lag-value')).toHaveText(/^\d[\d,]* events?$/);
  await expect(admin.getByTestId('figure-busy-value')).toHaveText(/^\d[\d,]*$/); // this instance's, from its metrics
  await expect(admin.getByTestId('figure-busy')).toContainText('this instance since it started');

  const savings = await openAccount(page, `Savings ${randomUUID().slice(0, 6)}`, '0.00');
  expect((await money(page.request, account.id, 'deposits', '50.00')).status()).toBe(201);
  const key = randomUUID();
  for (let i = 0; i < 3; i++)
    expect((await money(page.request, account.id, 'withdrawals', '12.34', key)).status()).toBe(201);
  expect((await money(page.request, account.id, 'withdrawals', '100000.00')).status()).toBe(422);
  const transfer = await page.request.post('/api/transfers', {
    headers: { 'idempotency-key': randomUUID(), origin: e2eOrigin },
    data: { from: account.id, toAccountNumber: savings.accountNumber, amount: '5.00' },
  });
  expect(transfer.status(), await transfer.text()).toBe(201);

  const after = await stableDashboard(admin, db);
  // At least what this test did (the other worker may have added more in between).
  expect(cents(after.deposits) - cents(before.deposits)).toBeGreaterThanOrEqual(5_000);
  expect(cents(after.withdrawals) - cents(before.withdrawals)).toBeGreaterThanOrEqual(1_234);
  expect(cents(after.transfers) - cents(before.transfers)).toBeGreaterThanOrEqual(500);
  expect(Number(after.rejections) - Number(before.rejections)).toBeGreaterThanOrEqual(1);
  expect(
    Number(after.duplicates.replace(/,/g, '')) - Number(before.duplicates.replace(/,/g, '')),
  ).toBeGreaterThanOrEqual(2);

  // The chart (from the asynchronous daily totals, so once they caught up): axes, labelled bars, a
  // legend that names the fill patterns, and the same numbers as a table of every day.
  const chart = admin.getByRole('img', { name: /^Deposits, withdrawals and transfers per UTC day/ });
  await expect(async () => {
    await admin.reload();
    await expect(chart).toBeVisible({ timeout: 1_000 });
  }).toPass();
  const today = new Date().toISOString().slice(0, 10);
  await expect(chart.locator('text', { hasText: today.slice(5) })).toHaveCount(1);
  await expect(chart.locator('text.bar-value').first()).toHaveText(/^\$[\d.]+[kM]?$/); // each bar says its value
  await expect(admin.getByRole('list', { name: 'Legend' }).getByRole('listitem')).toHaveText([
    'Deposits (solid)',
    'Withdrawals (hatched)',
    'Transfers (dotted)',
  ]);
  const rows = admin.getByTestId('daily-totals').locator('tbody tr');
  await expect(rows).toHaveCount(14);
  await expect(rows.first().locator('td').first()).toHaveText(today);
});

test('event and command logs: amount, account number and customer columns, short ids with copy, JSON on demand, counts', async ({
  page,
  adminPage: admin,
  account,
  customer,
  db,
}) => {
  const key = randomUUID();
  expect((await money(page.request, account.id, 'withdrawals', '12.34', key)).status()).toBe(201);
  const commandId = `${customer.id}:${key}`;
  const { rows } = await db.query<{ account_number: string }>(
    'SELECT account_number FROM account_balances WHERE account_id = $1',
    [account.id],
  );
  const number = spaced(rows[0]!.account_number);

  await admin.goto(`/admin/events?stream=account-${account.id}`);
  await expect(admin.getByTestId('result-count')).toHaveText('3 events match.');
  const row = admin.getByTestId('event-row').filter({ hasText: 'MoneyWithdrawn' });
  await expect(row.getByTestId('event-amount')).toHaveText('$12.34');
  await expect(row.getByRole('link', { name: number })).toBeVisible();
  await expect(row).toContainText(customer.name);
  await expect(row).toContainText(customer.email);
  await expect(row.getByRole('link', { name: commandId })).toHaveText(`${key.slice(0, 8)}…${commandId}`); // short key shown, full id read
  await row.getByRole('button', { name: `Copy command id ${commandId}` }).click();
  await expect(row.getByRole('button', { name: /^Copied/ })).toBeVisible();
  expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(commandId);
  const json = row.getByRole('region', { name: /^Data of event \d+$/ });
  await expect(json).toBeHidden();
  await row.getByText('JSON', { exact: true }).click();
  await expect(json).toContainText('"amountCents": 1234');

  // Commands: the same columns, a time range from the date-time pickers, a count.
  await admin.goto('/admin/commands?type=WithdrawMoney');
  await admin.getByLabel('From (UTC)').fill(new Date(Date.now() - 3_600_000).toISOString().slice(0, 16));
  await admin.getByLabel('To (UTC)').fill(new Date(Date.now() + 3_600_000).toISOString().slice(0, 16));
  await admin.getByRole('button', { name: 'Filter' }).click();
  await expect(admin).toHaveURL(/type=WithdrawMoney.*from=.*to=/);
  await expect(admin.getByTestId('result-count')).toHaveText(
    /^(Showing \d+ of [\d,]+ commands|1 command matches|[\d,]+ commands match)\.$/,
  );
  const command = admin.getByTestId('command-row').filter({ hasText: commandId });
  await expect(command.getByTestId('command-amount')).toHaveText('$12.34');
  await expect(command.getByRole('link', { name: number })).toBeVisible();
  await expect(command).toContainText(customer.email);
  await admin.getByLabel('To (UTC)').fill('2000-01-01T00:00');
  await admin.getByRole('button', { name: 'Filter' }).click();
  await expect(admin.getByText('“To” must not be before “From”.')).toBeVisible();
  await expect(admin.getByTestId('command-row')).toHaveCount(0);
});

test('the events filter finds an account by its number (spaced or not) and a customer by email; unknown ones are field errors', async ({
  page,
  adminPage: admin,
  account,
  customer,
}) => {
  test.setTimeout(120_000); // seven page loads on a shared machine
  const savings = await openAccount(page, 'Savings', '5.00');
  const accountField = admin.getByRole('form', { name: 'Filter events' }).getByLabel('Account');
  const filterBy = async (text: string) => {
    await admin.goto('/admin/events');
    await accountField.fill(text);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect(admin).toHaveURL(
      new RegExp(`[?&]stream=${encodeURIComponent(text).replace(/%20/g, '(\\+|%20)')}(&|$)`),
    );
  };
  const numbersShown = async () =>
    [
      ...new Set(
        await admin
          .getByTestId('event-row')
          .evaluateAll((rows) => rows.map((r) => r.textContent?.match(/\d{4} \d{4} \d{4}/)?.[0] ?? '')),
      ),
    ].sort();

  for (const text of [spaced(account.accountNumber), account.accountNumber]) {
    await filterBy(text);
    await expect(accountField).not.toHaveAttribute('aria-invalid', 'true');
    await expect(admin.getByTestId('event-row').first()).toBeVisible();
    expect(await numbersShown(), text).toEqual([spaced(account.accountNumber)]);
  }

  await filterBy(customer.email.toUpperCase());
  await expect(admin.getByTestId('event-row').first()).toBeVisible();
  expect(await numbersShown()).toEqual([spaced(account.accountNumber), spaced(savings.accountNumber)].sort());

  await filterBy(spaced(accountNumberOf(88_888_888_888n)));
  await expect(accountField).toHaveAttribute('aria-invalid', 'true');
  await expect(accountField).toHaveAccessibleDescription(/No account has this number\./);
  await expect(admin.getByTestId('event-row')).toHaveCount(0);

  await filterBy(`nobody-${randomUUID().slice(0, 8)}@example.test`);
  await expect(accountField).toHaveAttribute('aria-invalid', 'true');
  await expect(accountField).toHaveAccessibleDescription(/No customer with this email has an account\./);
  await expect(admin.getByTestId('event-row')).toHaveCount(0);
});

test('customers: search, disable (sessions and API keys refused at once, nothing deleted), enable', async ({
  page,
  adminPage: admin,
  account,
  customer,
  db,
  baseURL,
  playwright,
}) => {
  const apiKey = await createApiKey(page, baseURL!, 'integration');
  const api = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${apiKey.key}` },
  });
  try {
    expect((await api.get('/api/accounts')).status()).toBe(200);
    const { rows } = await db.query<{ account_number: string }>(
      'SELECT account_number FROM account_balances WHERE account_id = $1',
      [account.id],
    );

    await admin.goto('/admin/customers');
    await admin.getByLabel('Name, email or account number').fill(customer.email.toUpperCase());
    await admin.getByRole('button', { name: 'Search' }).click();
    await expect(admin.getByTestId('result-count')).toHaveText('1 customer matches.');
    const row = admin.getByTestId('customer-row');
    await expect(row).toContainText(customer.name);
    await expect(row.getByTestId('customer-account')).toHaveText(
      `${spaced(rows[0]!.account_number)} ${account.owner}: $200.00`,
    );
    await expect(row.getByTestId('customer-status')).toHaveText('active');
    await expect(row.getByTestId('customer-access')).toContainText('1 API key');

    // An account's owner, found by the account number as people write it.
    await admin.goto(`/admin/customers?q=${encodeURIComponent(spaced(rows[0]!.account_number))}`);
    await expect(admin.getByTestId('customer-row')).toHaveCount(1);
    await expect(admin.getByTestId('customer-row')).toContainText(customer.email);

    await row.getByRole('button', { name: `Disable customer ${customer.name}` }).click();
    await expect(row.getByTestId('customer-toggle-result')).toHaveText(
      `Disabled ${customer.name}: 1 session and 1 API key revoked. Nothing was deleted.`,
    );
    await expect(row.getByTestId('customer-status')).toHaveText('disabled');
    await expect(row.getByTestId('customer-access')).toContainText('0 sessions');

    const refused = await api.post(`/api/accounts/${account.id}/withdrawals`, {
      headers: { 'idempotency-key': randomUUID() },
      data: { amount: '1.00' },
    });
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({
      type: '/problems/customer-disabled',
      title: 'Customer disabled',
      detail: expect.stringContaining('disabled by an administrator'),
    });
    const counted = await db.query<{ sessions: string; accounts: string; events: string }>(
      `SELECT (SELECT count(*) FROM sessions WHERE user_id = $1)::text AS sessions, (SELECT count(*) FROM account_balances WHERE customer_id = $1)::text AS accounts,
              (SELECT count(*) FROM events WHERE stream_id = $2)::text AS events`,
      [customer.id, `account-${account.id}`],
    );
    expect(counted.rows[0]).toEqual({ sessions: '0', accounts: '1', events: '2' });
    const response = await page.goto(account.url);
    await expect(page).toHaveURL(/\/sign-in\?next=/); // the session is gone
    expect(response?.ok()).toBe(true);
    const signIn = await page.request.post('/api/auth/sign-in/email', {
      data: { email: customer.email, password: customer.password },
      headers: { origin: baseURL! },
    });
    expect(signIn.status()).toBe(403);

    await row.getByRole('button', { name: `Enable customer ${customer.name}` }).click();
    await expect(row.getByTestId('customer-status')).toHaveText('active');
    await expect(row.getByTestId('customer-toggle-result')).toContainText(`Enabled ${customer.name}`);
    const again = await page.request.post('/api/auth/sign-in/email', {
      data: { email: customer.email, password: customer.password },
      headers: { origin: baseURL! },
    });
    expect(again.status()).toBe(200);
    expect((await page.request.get('/api/accounts')).status()).toBe(200);
  } finally {
    await api.dispose();
  }
});

test('Rebuild asks first in an alert dialog: Cancel (or Escape) does nothing, confirming rebuilds', async ({
  adminPage: admin,
}) => {
  await admin.goto('/admin/projections');
  const section = admin.getByRole('region', { name: 'daily-totals' });
  const result = admin.getByTestId('projection-result-daily-totals');
  const actionPosts: string[] = [];
  admin.on('request', (request) => {
    if (request.method() === 'POST' && request.headers()['next-action']) actionPosts.push(request.url());
  });
  const rebuild = section.getByRole('button', { name: 'Rebuild' });

  await rebuild.click();
  const dialog = admin.getByRole('alertdialog', { name: 'Rebuild daily-totals?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(rebuild).toBeFocused();
  await rebuild.press('Enter');
  await expect(dialog).toBeVisible();
  await admin.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(result).toBeEmpty();
  expect(actionPosts).toEqual([]);

  await rebuild.click();
  await dialog.getByRole('button', { name: 'Rebuild daily-totals' }).click();
  await expect(result).toHaveText(/^Rebuilt \d+ rows from the events\. Verification: 0 differences\.$/);
  expect(actionPosts).toHaveLength(1);
});

test('time travel: a version or a moment shows the whole state then, and what each event changed', async ({
  page,
  adminPage: admin,
  account,
  customer,
  db,
}) => {
  expect((await money(page.request, account.id, 'withdrawals', '12.34')).status()).toBe(201);
  const streamPath = `/admin/streams/account-${account.id}`;
  await admin.goto(streamPath);
  const state = admin.getByTestId('travel-state');
  await expect(state.getByRole('heading')).toHaveText('Now: version 3');
  await expect(state.getByTestId('travel-balanceCents')).toHaveText('$187.66');
  await expect(state.getByTestId('travel-owner')).toHaveText(account.owner);
  await expect(state.getByTestId('travel-customerId')).toHaveText(`${customer.name} (${customer.email})`);

  const changes = admin.getByTestId('stream-row').getByTestId('changes');
  await expect(changes.nth(0)).toContainText('Status: none → open');
  await expect(changes.nth(0)).toContainText(`Account name: — → ${account.owner}`);
  await expect(changes.nth(0)).toContainText('Balance: — → $0.00');
  await expect(changes.nth(1)).toHaveText('Balance: $0.00 → $200.00 (+$200.00)');
  await expect(changes.nth(2)).toHaveText('Balance: $200.00 → $187.66 (−$12.34)');

  await admin.getByLabel('Version', { exact: true }).fill('2');
  await admin.getByRole('button', { name: 'Show version' }).click();
  await expect(state.getByRole('heading')).toHaveText('At version 2');
  await expect(state.getByTestId('travel-balanceCents')).toHaveText('$200.00');
  await expect(state.getByTestId('travel-status')).toHaveText('open');
  await expect(admin.getByTestId('stream-row').nth(2)).toHaveClass(/travel-later/);

  // A moment: the last event recorded by the end of the second given.
  const { rows } = await db.query<{ version: number; at: string }>(
    `SELECT version, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS at FROM events WHERE stream_id = $1 ORDER BY version`,
    [`account-${account.id}`],
  );
  const second = rows[1]!.at;
  // A whole minute (":00" seconds) is written, and covered, as the minute.
  const shown = second.endsWith(':00') ? second.slice(0, 16) : second;
  const end = second.endsWith(':00') ? `${shown}:59` : second;
  const expected = Math.max(...rows.filter((r) => r.at <= end).map((r) => r.version));
  await admin.getByLabel('Moment (UTC)').fill(second);
  await admin.getByRole('button', { name: 'Show moment' }).click();
  await expect(state.getByRole('heading')).toHaveText(`At ${shown.replace('T', ' ')} UTC: version ${expected}`);
  await admin.goto(`${streamPath}?at=2000-01-01T00:00`);
  await expect(state.getByRole('heading')).toHaveText('At 2000-01-01 00:00 UTC: before the first event');
  await expect(state).toContainText('The account did not exist yet.');
  await admin.goto(`${streamPath}?version=99`);
  await expect(admin.getByText('Choose a version from 1 to 3.')).toBeVisible();
  await expect(admin.getByLabel('Version', { exact: true })).toHaveAttribute('aria-invalid', 'true');
});

test('every admin table fits a 360 px phone: controls on screen, no sideways scrolling, emails whole, ids on their Copy button’s line', async ({
  page,
  adminPage: admin,
  account,
}) => {
  expect((await money(page.request, account.id, 'withdrawals', '1.00')).status()).toBe(201);
  await admin.setViewportSize(PHONE);
  const tablesOf = {
    '/admin': 'daily totals',
    '/admin/events': 'events',
    '/admin/commands': 'commands',
    '/admin/customers': 'customers',
    '/admin/streams': 'streams',
  };
  for (const [path, what] of Object.entries(tablesOf)) {
    await admin.goto(path);
    await expect(admin.locator('h1')).toBeVisible();
    await expect(admin.locator('table').first(), `${path} shows its ${what} table`).toBeVisible();
    // Copy buttons render once JavaScript runs: wait for them where the table has ids.
    if (path === '/admin/events' || path === '/admin/commands')
      await expect(admin.getByRole('button', { name: /^Copy / }).first()).toBeVisible();
    expect(await expectTablesFit(admin, `${path} (${what}) at 360 px`), path).toBeGreaterThan(0);
  }
});

test('every admin page: no horizontal overflow and no serious or critical axe violations, at 1280×800 and 360×740', async ({
  page,
  adminPage: admin,
  account,
  customer,
  db,
}) => {
  test.setTimeout(240_000);
  expect((await money(page.request, account.id, 'withdrawals', '1.00')).status()).toBe(201);
  const { rows } = await db.query<{ global_position: string; command_id: string }>(
    `SELECT global_position::text, (SELECT c.command_id FROM commands c WHERE c.command_key = events.command_key) AS command_id FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1`,
    [`account-${account.id}`],
  );
  const paths = [
    '/admin',
    '/admin/events',
    `/admin/events?stream=account-${account.id}&from=2000-01-01T00:00`,
    `/admin/events/${rows[0]!.global_position}`,
    '/admin/commands',
    `/admin/commands/${encodeURIComponent(rows[0]!.command_id)}`,
    '/admin/streams',
    `/admin/streams/account-${account.id}`,
    `/admin/streams/account-${account.id}?version=99`,
    '/admin/projections',
    '/admin/customers',
    `/admin/customers?q=${encodeURIComponent(customer.email)}`,
  ];
  const check = async (what: string) => {
    const widths = await admin.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
    }));
    expect.soft(widths.scroll, `${what}: page wider than the screen`).toBeLessThanOrEqual(widths.inner);
    const { violations } = await new AxeBuilder({ page: admin }).analyze();
    const serious = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect.soft(serious, what).toEqual([]);
  };
  for (const size of [DESKTOP, PHONE]) {
    await admin.setViewportSize(size);
    for (const path of paths) {
      await admin.goto(path);
      await expect(admin.locator('h1')).toBeVisible();
      await check(`${path} at ${size.width}×${size.height}`);
    }
    // Open states too: JSON unfolded in the log, the phone menu, the rebuild dialog.
    await admin.goto(`/admin/events?stream=account-${account.id}`);
    await admin.getByTestId('event-row').first().getByText('JSON', { exact: true }).click();
    await check(`unfolded JSON at ${size.width}`);
    if (size === PHONE) {
      await admin.getByRole('button', { name: 'Menu' }).click();
      await expect(admin.getByRole('dialog', { name: 'Ops console' })).toBeVisible();
      await check('the phone menu');
      await admin.keyboard.press('Escape');
    }
    await admin.goto('/admin/projections');
    await admin.getByRole('region', { name: 'daily-totals' }).getByRole('button', { name: 'Rebuild' }).click();
    await expect(admin.getByRole('alertdialog')).toBeVisible();
    await check(`the rebuild dialog at ${size.width}`);
    await admin.keyboard.press('Escape');
  }
});
