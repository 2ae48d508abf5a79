import { randomUUID } from 'node:crypto';
import type { APIRequestContext, Browser, Request } from '@playwright/test';
import { e2eAdmin, signIn, signInError, submitSignIn } from './admin-auth';
import { expect, test } from './fixtures';

// The admin console end to end: nothing admin-only answers without a session (pages, the API and
// server actions, the latter POSTed directly with a captured action id), sign-in with its generic
// error and rate limit, the data pages, sign-out.

const isActionPost = (request: Request) => request.method() === 'POST' && !!request.headers()['next-action'];

/** A context of its own with a client address of its own, so rate-limit counts never mix between tests. */
async function clientAt(browser: Browser) {
  const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}, 10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  return browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': address } });
}

function adminPaths(accountId: string, commandId: string) {
  return ['/admin', '/admin/events', '/admin/events?stream=x', '/admin/events/1', '/admin/streams', `/admin/streams/account-${accountId}`, '/admin/commands', `/admin/commands/${commandId}`];
}

async function withdrawTwiceOverApi(request: APIRequestContext, accountId: string, key: string) {
  for (let i = 0; i < 2; i++) {
    const response = await request.post(`/api/accounts/${accountId}/withdrawals`, { headers: { 'idempotency-key': key }, data: { amount: '12.34' } });
    expect(response.status()).toBe(201);
  }
}

test('without a session every admin page redirects to sign-in', async ({ page, account, db }) => {
  const { rows } = await db.query<{ command_id: string }>('SELECT command_id FROM events WHERE stream_id = $1 LIMIT 1', [`account-${account.id}`]);
  for (const path of adminPaths(account.id, rows[0]!.command_id)) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(307);
    expect(response.headers().location, path).toMatch(/^\/admin\/sign-in(\?next=%2Fadmin|$)/);
    await page.goto(path);
    await expect(page, path).toHaveURL(/\/admin\/sign-in/);
    await expect(page.getByRole('heading', { name: 'Admin sign-in' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  }
});

test('the admin API answers 401 without credentials, 200 with the session or the API token', async ({ page, playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789abcdef0123456789' }, { cookie: 'idem_admin_session=v1.e30.AAAA' }] as Record<string, string>[]) {
    const response = await anonymous.get('/api/admin/events?after=0&limit=5', { headers });
    expect(response.status()).toBe(401);
    expect(response.headers()['content-type']).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
  }
  const withToken = await anonymous.get('/api/admin/events?after=0&limit=5', { headers: { authorization: `Bearer ${e2eAdmin.apiToken}` } });
  expect(withToken.status()).toBe(200);
  expect(await withToken.json()).toMatchObject({ events: expect.any(Array) });
  expect((await anonymous.get('/api/admin/events?limit=0', { headers: { authorization: `Bearer ${e2eAdmin.apiToken}` } })).status()).toBe(400);
  await anonymous.dispose();

  await signIn(page);
  const withSession = await page.request.get('/api/admin/events?after=0&limit=5');
  expect(withSession.status()).toBe(200);
});

test('every admin server action POSTed without a session redirects to sign-in and does nothing, on any path', async ({ browser, page, baseURL }) => {
  // Capture the action ids from the real pages: Verify on the projections page, then Sign out.
  await signIn(page, '/admin/projections');
  const [verify] = await Promise.all([page.waitForRequest(isActionPost), page.getByRole('button', { name: 'Verify' }).first().click()]);
  const [signOut] = await Promise.all([page.waitForRequest(isActionPost), page.getByRole('button', { name: 'Sign out' }).click()]);
  await expect(page.getByText('You have been signed out.')).toBeVisible();
  const actions = { projections: verify.headers()['next-action']!, signOut: signOut.headers()['next-action']! };

  const anonymous = await browser.newContext();
  try {
    for (const [name, actionId] of Object.entries(actions)) {
      for (const path of ['/admin', '/']) {
        const response = await anonymous.request.post(path, {
          headers: { 'next-action': actionId, origin: baseURL!, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component' },
          data: '[]',
          maxRedirects: 0,
        });
        expect(response.status(), `${name} at ${path}`).toBeLessThan(500);
        // requireAdmin() turned it away before it did anything (signed in, Sign out answers …?signed-out=1).
        expect(response.headers()['x-action-redirect'], `${name} at ${path}`).toMatch(/^\/admin\/sign-in(\?next=[^;]*)?;/);
        expect(response.headers()['set-cookie'] ?? '', `${name} at ${path}`).not.toContain('idem_admin_session');
        expect(await response.text()).not.toMatch(/verified|rebuilt/);
      }
    }
  } finally {
    await anonymous.close();
  }
});

test('a wrong password gets the generic error, and the email stays filled in', async ({ browser }) => {
  const context = await clientAt(browser);
  const page = await context.newPage();
  await page.goto('/admin/sign-in');
  await submitSignIn(page, e2eAdmin.email, 'not the password');
  await expect(signInError(page)).toHaveText('Email or password is incorrect.');
  await submitSignIn(page, 'nobody@example.test', e2eAdmin.password);
  await expect(signInError(page)).toHaveText('Email or password is incorrect.');
  await expect(page.getByLabel('Email')).toHaveValue('nobody@example.test');
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await context.close();
});

test('after 5 failed attempts from one address, sign-in is refused even with the right password', async ({ browser }) => {
  const context = await clientAt(browser);
  const page = await context.newPage();
  await page.goto('/admin/sign-in');
  for (let i = 0; i < 5; i++) {
    await submitSignIn(page, e2eAdmin.email, `guess ${i}`);
    await expect(signInError(page)).toHaveText('Email or password is incorrect.');
  }
  await submitSignIn(page, e2eAdmin.email, e2eAdmin.password);
  await expect(signInError(page)).toHaveText('Too many sign-in attempts. Try again in 15 minutes.');
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/sign-in/);
  await context.close();
});

test('sign in, return to the page asked for, sign out', async ({ page }) => {
  await signIn(page, '/admin/commands');
  await expect(page).toHaveURL(/\/admin\/commands$/);
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  for (const name of ['Event history', 'Command log', 'Streams', 'Projections']) await expect(page.getByRole('main').getByRole('link', { name })).toBeVisible();
  await expect(page.locator('section[aria-labelledby="daily-totals"]')).toBeAttached();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('status')).toHaveText('You have been signed out.');
  await page.goto('/admin/events');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Fevents/);
  expect((await page.request.get('/api/admin/events')).status()).toBe(401);
});

test('event history, event detail, stream time travel and the command log with a replay count', async ({ page, account }) => {
  const key = randomUUID();
  await withdrawTwiceOverApi(page.request, account.id, key);
  await signIn(page, `/admin/events?stream=account-${account.id}`);

  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(3);
  await page.getByLabel('Command id').fill(key);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('MoneyWithdrawn');

  await rows.first().getByRole('link', { name: /^Event \d+$/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Event \d+: MoneyWithdrawn$/);
  await expect(page.getByLabel('Event data')).toContainText('"amountCents": 1234');
  await expect(page.locator('dt:has-text("Causation id") + dd')).toHaveText(key);
  await expect(page.locator('dt:has-text("Correlation id") + dd')).toHaveText(key);

  await page.getByRole('link', { name: 'state after this event' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Stream account-${account.id}`);
  const balances = page.getByTestId('stream-row').getByTestId('balance-after');
  await expect(balances).toHaveText(['$0.00', '$200.00', '$187.66']);
  await expect(page.getByTestId('stream-row').nth(2)).toContainText('MoneyWithdrawn');

  await page.getByTestId('stream-row').nth(2).getByRole('link', { name: key }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('WithdrawMoney');
  await expect(page.getByTestId('replay-count')).toHaveText(/^1 \(last /);
  await expect(page.getByTestId('produced-event')).toHaveCount(1);

  await page.goto('/admin/commands?type=WithdrawMoney');
  const row = page.getByTestId('command-row').filter({ hasText: key });
  await expect(row.getByTestId('replay-count')).toHaveText('1');
});

test('event filters explain invalid times and show no events until corrected', async ({ page }) => {
  await signIn(page, '/admin/events?from=yesterday&to=2026-11-26T25:00');
  await expect(page.getByLabel('From (UTC)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('“From” must be a UTC date and time like 2026-11-26T14:30')).toBeVisible();
  await expect(page.getByText('“To” must be a UTC date and time like 2026-11-26T14:30')).toBeVisible();
  await expect(page.getByTestId('event-row')).toHaveCount(0);

  await page.getByLabel('From (UTC)').fill('2000-01-01T00:00');
  await page.getByLabel('To (UTC)').fill('2100-01-01');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('event-row').first()).toBeVisible();
  await page.getByLabel('To (UTC)').fill('1999-12-31');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('“To” must not be before “From”.')).toBeVisible();
});

test('sign-in works before hydration too (a plain form POST): generic error, then signed in', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, extraHTTPHeaders: { 'x-forwarded-for': `192.0.2.${Math.floor(Math.random() * 250) + 1}` } });
  const page = await context.newPage();
  await page.goto('/admin/events');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(e2eAdmin.email);
  await form.getByLabel('Password').fill('wrong');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(signInError(page)).toHaveText('Email or password is incorrect.');
  await form.getByLabel('Password').fill(e2eAdmin.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/events$/);
  await expect(page.getByRole('heading', { name: 'Event history' })).toBeVisible();
  await context.close();
});

test('commands whose id has URL-special characters open from the log and link back', async ({ page, account }) => {
  const key = `odd/key%20?#"&+${randomUUID().slice(0, 8)}`;
  await withdrawTwiceOverApi(page.request, account.id, `"${key.replaceAll('"', '\\"')}"`);
  await signIn(page, `/admin/events?stream=account-${account.id}`);
  await page.getByTestId('event-row').first().getByRole('link', { name: key }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`WithdrawMoney ${key}`);
  await expect(page.getByTestId('replay-count')).toHaveText(/^1 /);
  await page.getByTestId('produced-event').getByRole('link', { name: /^\d+$/ }).click();
  await expect(page.locator('dt:has-text("Causation id") + dd')).toHaveText(key);
});
