import type { Page } from '@playwright/test';
import { signIn as signInAdmin, submitSignIn, e2eAdmin } from './admin-auth';
import { actionForm, addVirtualAuthenticator, expect, hydrated, openAccount, test } from './fixtures';

// Security headers on every page people use, and no CSP violation while they render and hydrate;
// answers that never echo what a request sent; the credential screens (API keys, passkeys) and where
// an admin lands.

/** Collects CSP violations (the DOM event and the console's report) from now on. */
async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return seen;
}

async function expectSecureHeaders(page: Page, path: string) {
  const response = await page.goto(path);
  const headers = response!.headers();
  const csp = headers['content-security-policy'] ?? '';
  expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp, path).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options'], path).toBe('nosniff');
  expect(headers['referrer-policy'], path).toBe('same-origin');
  // Next.js put this response's nonce on its scripts: otherwise they would be blocked.
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  expect(await page.locator(`script[nonce]`).count(), path).toBeGreaterThan(0);
  expect(await page.evaluate(() => [...document.scripts].map((s) => s.nonce).filter(Boolean)[0]), path).toBe(nonce);
}

test.describe('signed out', () => {
  test.use({ signedIn: false });

  test('the sign-in, sign-up and 404 pages carry the security headers and run without a CSP violation', async ({
    page,
  }) => {
    const violations = await watchCsp(page);
    for (const path of ['/', '/sign-in', '/sign-up', '/no-such-page']) await expectSecureHeaders(page, path);
    await page.goto('/sign-in');
    await hydrated(page.getByRole('form', { name: 'Sign in' }));
    expect(violations).toEqual([]);
  });

  test('403 and 404 answers do not echo what the request sent', async ({ page }) => {
    const marker = 'zq<script>echo-marker</script>';
    const forbidden = await page.request.post('/sign-in', {
      headers: { origin: `https://evil.example`, 'x-marker': marker },
      form: { a: '1' },
    });
    expect(forbidden.status()).toBe(403);
    expect(await forbidden.text()).not.toContain('evil.example');
    const apiMissing = await page.request.get(`/api/${encodeURIComponent(marker)}`);
    expect(apiMissing.status()).toBe(404);
    expect(await apiMissing.text()).not.toContain('echo-marker');
    // The 404 page says nothing of the address; Next.js' router data in the page carries the path
    // only URL-encoded (as it does on every page), never as markup.
    const pageMissing = await page.goto(`/${encodeURIComponent(marker)}`);
    expect(pageMissing!.status()).toBe(404);
    expect(await pageMissing!.text()).not.toContain('<script>echo-marker');
    expect(await page.locator('body').innerText()).not.toContain('echo-marker');
  });

  test('an admin who signs in without a destination lands on the console', async ({ page }) => {
    await page.goto('/sign-in');
    await submitSignIn(page, e2eAdmin.email, e2eAdmin.password);
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByText('You have no accounts yet.')).toHaveCount(0);
  });
});

test('every signed-in page carries the security headers and hydrates without a CSP violation', async ({
  page,
  account,
}) => {
  const violations = await watchCsp(page);
  for (const path of ['/', account.url, '/settings', '/settings/api-keys']) await expectSecureHeaders(page, path);
  await hydrated(page.getByRole('form', { name: 'Create API key' }));
  await page.goto(account.url);
  await expect(await actionForm(page, 'Deposit')).toBeVisible(); // the Deposit dialog opened: React runs under the CSP
  expect(violations).toEqual([]);
});

test('admin pages carry the security headers and run without a CSP violation', async ({ browser }) => {
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '10.250.0.7' } });
  const page = await context.newPage();
  try {
    const violations = await watchCsp(page);
    await signInAdmin(page, '/admin');
    for (const path of [
      '/admin',
      '/admin/events',
      '/admin/commands',
      '/admin/streams',
      '/admin/projections',
      '/admin/customers',
      '/admin/audit',
    ])
      await expectSecureHeaders(page, path);
    expect(violations).toEqual([]);
  } finally {
    await context.close();
  }
});

test('API keys: Copy, an expiry, a confirmation before revoking, and the one-time key gone once it is revoked', async ({
  page,
}) => {
  await page.goto('/settings/api-keys');
  const form = page.getByRole('form', { name: 'Create API key' });
  await hydrated(form);
  await form.getByLabel('Key name').fill('ci robot');
  await form.getByLabel('Expires after').selectOption('30');
  await form.getByLabel('Only read (balances and history)').check();
  await form.getByRole('button', { name: 'Create API key' }).click();
  await expect(page.getByTestId('new-api-key')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Copy' })).toBeVisible();
  const row = page.getByTestId('api-key-row');
  await expect(row).toContainText('read only');
  await expect(row.getByTestId('api-key-expires')).not.toHaveText('never');

  await row.getByRole('button', { name: 'Revoke ci robot' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Revoke “ci robot”?');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId('new-api-key')).toBeVisible();

  await row.getByRole('button', { name: 'Revoke ci robot' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('new-api-key')).toHaveCount(0);
});

test('a sign-in older than 10 minutes must give the password again before adding a key or a passkey', async ({
  page,
  customer,
  db,
}) => {
  await db.query(`UPDATE sessions SET created_at = created_at - interval '11 minutes' WHERE user_id = $1`, [
    customer.id,
  ]);
  await page.goto('/settings/api-keys');
  const form = page.getByRole('form', { name: 'Create API key' });
  await hydrated(form);
  await form.getByLabel('Key name').fill('after a while');
  await form.getByLabel('Your password').fill('not the password');
  await form.getByRole('button', { name: 'Create API key' }).click();
  await expect(form.getByRole('alert')).toHaveText('The password is incorrect.');
  await expect(page.getByTestId('api-key-row')).toHaveCount(0);
  await form.getByLabel('Key name').fill('after a while');
  await form.getByLabel('Your password').fill(customer.password);
  await form.getByRole('button', { name: 'Create API key' }).click();
  await expect(page.getByTestId('new-api-key')).toBeVisible();
  await expect(page.getByTestId('api-key-row')).toHaveCount(1);

  // The password made the session fresh again: "Add a passkey" is offered without asking.
  await page.goto('/settings');
  await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeVisible();
  await db.query(`UPDATE sessions SET created_at = created_at - interval '11 minutes' WHERE user_id = $1`, [
    customer.id,
  ]);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Add a passkey' })).toHaveCount(0);
  await page.getByRole('form', { name: 'Confirm your password' }).getByLabel('Your password').fill(customer.password);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeVisible();
});

test('at 127.0.0.1 the settings page explains that passkeys need a domain, and where to go', async ({
  page,
  baseURL,
}) => {
  await page.goto('/settings');
  await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeVisible();
  await expect(page.getByTestId('passkey-host-problem')).toHaveCount(0);
  // The same browser at the IP address (the session cookie copied over, as if signed in there).
  const ip = baseURL!.replace('localhost', '127.0.0.1');
  const cookies = await page.context().cookies();
  await page.context().addCookies(cookies.map(({ name, value }) => ({ name, value, url: ip })));
  await page.goto(`${ip}/settings`);
  await expect(page.getByTestId('passkey-host-problem')).toContainText('Passkeys need a domain name');
  await expect(
    page.getByTestId('passkey-host-problem').getByRole('link', { name: `${baseURL}/settings` }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add a passkey' })).toHaveCount(0);
});

test('a passkey can be removed from the settings page, after a confirmation', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  const list = page.getByTestId('passkey-list');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await list.getByRole('button', { name: /^Remove passkey/ }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove passkey' }).click();
  await expect(list).toHaveCount(0);
  await expect(page.getByText('No passkeys yet.')).toBeVisible();
});

test('the audit log names the admin who disabled a customer', async ({ browser, customer }) => {
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '10.250.0.8' } });
  const admin = await context.newPage();
  try {
    await signInAdmin(admin, `/admin/customers?q=${encodeURIComponent(customer.email)}`);
    const row = admin.getByTestId('customer-row');
    await row.getByRole('button', { name: `Disable customer ${customer.name}` }).click();
    await expect(row.getByTestId('customer-toggle-result')).toHaveText(/^Disabled /);
    await admin.goto('/admin/audit');
    const entry = admin.getByTestId('audit-row').first();
    await expect(entry).toContainText('Disabled customer');
    await expect(entry).toContainText(e2eAdmin.email);
    await expect(entry).toContainText(customer.id);
  } finally {
    await context.close();
  }
});

test('opening an account still works with the CSP (the enhanced form hydrates)', async ({ page }) => {
  const violations = await watchCsp(page);
  await openAccount(page, 'Under CSP', '5.00');
  expect(violations).toEqual([]);
});
