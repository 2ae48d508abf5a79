import { randomUUID } from 'node:crypto';
import type { APIRequestContext, Browser, Request } from '@playwright/test';
import { e2eAdmin, signIn, INCORRECT_SIGN_IN, signInError, submitSignIn } from './admin-auth';
import { e2eOrigin } from '../playwright.config';
import { createApiKey, test } from './admin-fixtures';
import { clientAddress, expect } from './fixtures';

// The admin console end to end. Admins are users with role `admin`; to everyone else (signed out, or
// a signed-in customer) every admin page, the admin API and the admin server actions answer 404 and
// do nothing, as if they did not exist. Sign-in with its generic error and rate limit, the data
// pages, sign-out. `page` is a signed-in customer; `adminPage` a context of its own signed in as admin.
// The console's navigation, figures, customers and accessibility: e2e/admin-ux.spec.ts.

const isActionPost = (request: Request) => request.method() === 'POST' && !!request.headers()['next-action'];

/** A context of its own, signed out, with a client address of its own (rate-limit counts never mix). */
const anonymousContext = (browser: Browser, options: { javaScriptEnabled?: boolean } = {}) =>
  browser.newContext({ ...options, extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

function adminPaths(accountId: string, commandId: string) {
  return [
    '/admin',
    '/admin/events',
    '/admin/events?stream=x',
    '/admin/events/1',
    '/admin/streams',
    `/admin/streams/account-${accountId}`,
    '/admin/commands',
    `/admin/commands/${commandId}`,
    '/admin/projections',
    '/admin/customers',
  ];
}

async function withdrawTwiceOverApi(request: APIRequestContext, accountId: string, key: string) {
  for (let i = 0; i < 2; i++) {
    const response = await request.post(`/api/accounts/${accountId}/withdrawals`, {
      headers: { 'idempotency-key': key, origin: e2eOrigin },
      data: { amount: '12.34' },
    });
    expect(response.status()).toBe(201);
  }
}

async function expectAdminApi404(request: APIRequestContext, headers: Record<string, string> = {}) {
  const response = await request.get('/api/admin/events?after=0&limit=5', { headers });
  expect(response.status(), JSON.stringify(headers)).toBe(404);
  expect(response.headers()['content-type']).toBe('application/problem+json');
  expect(await response.json()).toEqual({
    type: '/problems/not-found',
    title: 'Not found',
    status: 404,
    detail: 'There is no API endpoint at this address. The endpoints are listed in /api/openapi.json.',
  });
}

test('every admin page is a 404 to signed-out visitors and to customers, who see no Admin link', async ({
  page,
  browser,
  account,
  db,
}) => {
  const { rows } = await db.query<{ command_id: string }>(
    `SELECT (SELECT c.command_id FROM commands c WHERE c.command_key = events.command_key) AS command_id FROM events WHERE stream_id = $1 LIMIT 1`,
    [`account-${account.id}`],
  );
  const anonymous = await anonymousContext(browser);
  const stranger = await anonymous.newPage();
  try {
    for (const path of adminPaths(account.id, rows[0]!.command_id)) {
      for (const [who, visitor] of [
        ['customer', page],
        ['signed out', stranger],
      ] as const) {
        const response = await visitor.goto(path);
        expect(response?.status(), `${who}: ${path}`).toBe(404);
        await expect(visitor.getByRole('heading', { level: 1 }), `${who}: ${path}`).toHaveText('Not found');
        await expect(visitor.getByRole('link', { name: 'Admin' })).toHaveCount(0);
      }
    }
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible(); // still the customer: nothing else changed
  } finally {
    await anonymous.close();
  }
});

test('the admin API answers 404 to no, wrong or customer credentials; 200 to the admin’s session or API key', async ({
  page,
  adminPage,
  playwright,
  baseURL,
}) => {
  const customerKey = await createApiKey(page, baseURL!, 'customer key');
  const adminKey = await createApiKey(adminPage, baseURL!, 'admin key');
  const anonymous = await playwright.request.newContext({ baseURL });
  try {
    for (const headers of [
      {},
      { authorization: 'Bearer idem_wrong-token-0123456789abcdef' },
      { cookie: 'idem.session_token=forged.value' },
      { authorization: `Bearer ${customerKey.key}` },
    ] as Record<string, string>[]) {
      await expectAdminApi404(anonymous, headers);
    }
    await expectAdminApi404(page.request); // a customer's session

    const withKey = await anonymous.get('/api/admin/events?after=0&limit=5', {
      headers: { authorization: `Bearer ${adminKey.key}` },
    });
    expect(withKey.status()).toBe(200);
    expect(await withKey.json()).toMatchObject({ events: expect.any(Array) });
    expect(
      (
        await anonymous.get('/api/admin/events?limit=0', { headers: { authorization: `Bearer ${adminKey.key}` } })
      ).status(),
    ).toBe(400);
    expect((await adminPage.request.get('/api/admin/events?after=0&limit=5')).status()).toBe(200);

    // Revoked, the admin's key is worth nothing at once.
    const revoked = await adminPage.request.post('/api/auth/api-key/delete', {
      data: { keyId: adminKey.id },
      headers: { origin: baseURL! },
    });
    expect(revoked.status()).toBe(200);
    await expectAdminApi404(anonymous, { authorization: `Bearer ${adminKey.key}` });
  } finally {
    await anonymous.dispose();
  }
});

test('an admin server action POSTed by a customer or without a session, on any path, answers 404 and does nothing', async ({
  page,
  browser,
  adminPage,
}) => {
  // Capture the real action POST of Verify on the projections page, to replay it verbatim.
  await adminPage.goto('/admin/projections');
  const [verify] = await Promise.all([
    adminPage.waitForRequest(isActionPost),
    adminPage.getByRole('button', { name: 'Verify' }).first().click(),
  ]);
  await expect(adminPage.getByTestId(/^projection-result-/).first()).toContainText(/Verified|differences/);
  const headers = Object.fromEntries(
    Object.entries(await verify.allHeaders()).filter(
      ([name]) => !['content-length', 'host', 'cookie', 'connection'].includes(name),
    ),
  );
  const body = verify.postDataBuffer()!;

  const anonymous = await anonymousContext(browser);
  try {
    for (const [who, request] of [
      ['signed out', anonymous.request],
      ['customer', page.request],
    ] as const) {
      for (const path of ['/admin/projections', '/']) {
        const response = await request.post(path, { headers, data: body, maxRedirects: 0 });
        const text = await response.text();
        // requireAdmin()'s notFound(): a 404 response on an admin path; elsewhere Next answers the
        // action call with the 404 as its (only) result. Either way the action did not run.
        const notFound =
          response.status() === 404 ||
          (response.status() === 200 && /^1:E\{"digest":"NEXT_HTTP_ERROR_FALLBACK;404"\}$/m.test(text));
        expect(notFound, `${who} at ${path}: HTTP ${response.status()} ${text.slice(0, 300)}`).toBe(true);
        expect(text, `${who} at ${path}`).not.toMatch(/Verified|rebuilt|differences/);
      }
    }
  } finally {
    await anonymous.close();
  }
});

test.describe('signing in as admin', () => {
  test.use({ signedIn: false });

  test('a wrong password gets the generic error, and the email stays filled in', async ({ page }) => {
    await page.goto('/sign-in');
    await submitSignIn(page, e2eAdmin.email, 'not the password');
    await expect(signInError(page)).toHaveText(INCORRECT_SIGN_IN);
    await submitSignIn(page, 'nobody@example.test', e2eAdmin.password);
    await expect(signInError(page)).toHaveText(INCORRECT_SIGN_IN);
    await expect(page.getByLabel('Email')).toHaveValue('nobody@example.test');
    await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  });

  // The lockout lasts 15 minutes for its network: a network no other context's address is in
  // (./fixtures.ts clientAddress gives 10.x.y.z), or a later admin sign-in from the same /24 (one in
  // 250 picks it) is refused.
  test.describe('from a network of its own', () => {
    test.use({
      extraHTTPHeaders: {
        'x-forwarded-for': `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`,
      },
    });

    test('after 5 failed attempts at one email from one network, sign-in is refused even with the right password, and each failure says how many are left', async ({
      page,
    }) => {
      await page.goto('/sign-in');
      const left = [
        '4 attempts left before',
        '3 attempts left before',
        '2 attempts left before',
        '1 attempt left before',
        'Sign-in to this email from your network is now',
      ];
      for (let i = 0; i < 5; i++) {
        await submitSignIn(page, e2eAdmin.email, `guess ${i}`);
        await expect(signInError(page)).toHaveText(
          new RegExp(`^Email or password is incorrect\\. ${left[i]}.* paused for 15 minutes\\.$`),
        );
      }
      await submitSignIn(page, e2eAdmin.email, e2eAdmin.password);
      await expect(signInError(page)).toHaveText('Too many sign-in attempts. Try again in 15 minutes.');
      expect((await page.goto('/admin'))?.status()).toBe(404);
    });
  });

  test('sign in, land on the page asked for, sign out', async ({ page }) => {
    await signIn(page, '/admin/commands');
    await expect(page).toHaveURL(/\/admin\/commands$/);
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    for (const name of ['Event history', 'Command log', 'Streams', 'Projections'])
      await expect(page.getByRole('main').getByRole('link', { name })).toBeVisible();
    await expect(page.locator('section[aria-labelledby="daily-totals"]')).toBeAttached();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('status')).toHaveText('You have been signed out.');
    expect((await page.goto('/admin/events'))?.status()).toBe(404);
    await expectAdminApi404(page.request);
  });

  test('sign-in works before hydration too (a plain form POST): generic error, then signed in', async ({ browser }) => {
    const context = await anonymousContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`/sign-in?next=${encodeURIComponent('/admin/events')}`);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Email').fill(e2eAdmin.email);
    await form.getByLabel('Password').fill('wrong password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect(signInError(page)).toHaveText(INCORRECT_SIGN_IN);
    await form.getByLabel('Password').fill(e2eAdmin.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/admin\/events$/);
    await expect(page.getByRole('heading', { name: 'Event history' })).toBeVisible();
    await context.close();
  });
});

test('event history, event detail, stream time travel and the command log with a replay count', async ({
  page,
  adminPage,
  account,
  customer,
}) => {
  const clientKey = randomUUID();
  await withdrawTwiceOverApi(page.request, account.id, clientKey);
  const key = `${customer.id}:${clientKey}`; // the engine's id: the key in its customer's namespace
  await adminPage.goto(`/admin/events?stream=account-${account.id}`);
  const admin = adminPage;

  const rows = admin.getByTestId('event-row');
  await expect(rows).toHaveCount(3);
  await admin.getByLabel('Command id').fill(key);
  await admin.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('MoneyWithdrawn');

  await rows
    .first()
    .getByRole('link', { name: /^Event \d+$/ })
    .click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(/^Event \d+: MoneyWithdrawn$/);
  await expect(admin.getByLabel('Event data')).toContainText('"amountCents": 1234');
  await expect(admin.locator('dt:has-text("Causation id") + dd')).toHaveText(key);
  await expect(admin.locator('dt:has-text("Correlation id") + dd')).toHaveText(key);

  await admin.getByRole('link', { name: 'state after this event' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(`Stream account-${account.id}`);
  const balances = admin.getByTestId('stream-row').getByTestId('balance-after');
  await expect(balances).toHaveText(['$0.00', '$200.00', '$187.66']);
  await expect(admin.getByTestId('stream-row').nth(2)).toContainText('MoneyWithdrawn');

  await admin.getByTestId('stream-row').nth(2).getByRole('link', { name: key }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('WithdrawMoney');
  await expect(admin.getByTestId('replay-count')).toHaveText(/^1 \(last /);
  await expect(admin.getByTestId('produced-event')).toHaveCount(1);

  await admin.goto('/admin/commands?type=WithdrawMoney');
  const row = admin.getByTestId('command-row').filter({ hasText: key });
  await expect(row.getByTestId('replay-count')).toHaveText('1');
});

test('event filters explain invalid times and show no events until corrected', async ({ adminPage: page }) => {
  await page.goto('/admin/events?from=yesterday&to=2026-11-26T25:00');
  await expect(page.getByLabel('From (UTC)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('“From” must be a UTC date and time like 2026-11-26T14:30')).toBeVisible();
  await expect(page.getByText('“To” must be a UTC date and time like 2026-11-26T14:30')).toBeVisible();
  await expect(page.getByTestId('event-row')).toHaveCount(0);

  // The fields are the browser's date-time pickers (datetime-local), read as UTC.
  await expect(page.getByLabel('From (UTC)')).toHaveAttribute('type', 'datetime-local');
  await page.getByLabel('From (UTC)').fill('2000-01-01T00:00');
  await page.getByLabel('To (UTC)').fill('2100-01-01T00:00');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('event-row').first()).toBeVisible();
  await expect(page).toHaveURL(/from=2000-01-01T00%3A00&to=2100-01-01T00%3A00/);
  await page.getByLabel('To (UTC)').fill('1999-12-31T00:00');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('“To” must not be before “From”.')).toBeVisible();
});

test('commands whose id has URL-special characters open from the log and link back', async ({
  page,
  adminPage,
  account,
  customer,
}) => {
  const clientKey = `odd/key%20?#"&+${randomUUID().slice(0, 8)}`;
  await withdrawTwiceOverApi(page.request, account.id, `"${clientKey.replaceAll('"', '\\"')}"`);
  const key = `${customer.id}:${clientKey}`;
  await adminPage.goto(`/admin/events?stream=account-${account.id}`);
  await adminPage.getByTestId('event-row').first().getByRole('link', { name: key }).click();
  await expect(adminPage.getByRole('heading', { level: 1 })).toHaveText(`WithdrawMoney ${key}`);
  await expect(adminPage.getByTestId('replay-count')).toHaveText(/^1 /);
  await adminPage.getByTestId('produced-event').getByRole('link', { name: /^\d+$/ }).click();
  await expect(adminPage.locator('dt:has-text("Causation id") + dd')).toHaveText(key);
});
