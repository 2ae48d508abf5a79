import type { Page } from '@playwright/test';
import { e2eInbox } from '../playwright.config';
import { INCORRECT_SIGN_IN, signInError, submitSignIn } from './admin-auth';
import {
  addVirtualAuthenticator,
  clientAddress,
  expect,
  hydrated,
  openAccount,
  signInAs,
  signUp,
  test,
  uniqueEmail,
} from './fixtures';
import { linkIn, mailTo } from './mailbox';
import { expectFocused } from './page-checks';

// Who the caller is: sign-up, sign-in (generic error, ?next= without open redirect), sign-out and
// "sign out everywhere" revoking sessions for real (old cookies replayed), API keys (shown once,
// Bearer on the JSON API, revoked → 401), passkeys with Chromium's virtual authenticator, and the
// gates: signed out, customer pages redirect to sign-in and customer APIs answer 401.

/** Every cookie of the page's context, as a Cookie header (to replay it from elsewhere later). */
async function cookieHeader(page: Page): Promise<string> {
  return (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

test.describe('signed out', () => {
  test.use({ signedIn: false });

  test('sign up: Name, Email, Password, "Create account" → a verification mail whose link signs in on /', async ({
    page,
  }) => {
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
    await page.getByRole('link', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/sign-up$/);
    const email = uniqueEmail('signup');
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('analytical engine');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByTestId('auth-notice')).toContainText(`Check your email: we sent a link to ${email}.`);
    // The suite's mail stays in the local catcher, so the page links to its inbox.
    await expect(page.getByRole('link', { name: 'Open the local inbox' })).toHaveAttribute('href', `${e2eInbox}/`);
    await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);

    const mail = await mailTo(email, /^Confirm your email for Idem$/);
    expect(mail.text).toContain('Hello Ada Lovelace,');
    await page.goto(linkIn(mail, '/api/auth/verify-email'));
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(page.getByRole('banner')).toContainText(email);
    await expect(page.getByRole('form', { name: 'Open account' })).toBeVisible();
  });

  test('sign-up explains each field; an email that is taken gets the answer a new one gets', async ({
    page,
    browser,
    baseURL,
  }) => {
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('Email').fill(uniqueEmail());
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Password').evaluate((input) => input.removeAttribute('minlength')); // reach the server's check
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/Use at least 8 characters\./);

    const other = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
    const taken = uniqueEmail('taken');
    const response = await other.request.post('/api/auth/sign-up/email', {
      data: { name: 'First', email: taken, password: 'long enough password' },
      headers: { origin: baseURL! },
    });
    expect(response.status()).toBe(200);
    await other.close();
    await page.getByLabel('Email').fill(taken);
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    const answer = page.getByTestId('auth-notice');
    await expect(answer).toContainText(`Check your email: we sent a link to ${taken}.`);
    const takenAnswer = (await answer.innerText()).replaceAll(taken, '<email>');
    await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
    // The owner of the address learns of the attempt; nothing else changed.
    expect((await mailTo(taken, /^Someone tried to sign up with your email$/)).text).toContain('Hello First,');

    // A new address gets the very same page.
    const fresh = uniqueEmail('fresh');
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('Email').fill(fresh);
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByTestId('auth-notice')).toContainText(fresh);
    expect((await page.getByTestId('auth-notice').innerText()).replaceAll(fresh, '<email>')).toBe(takenAnswer);
  });

  for (const path of ['/sign-up', '/sign-in']) {
    test(`${path}: "Show password" reveals the password and hides it again, keeping the focus and the value`, async ({
      page,
    }) => {
      await page.goto(path);
      const form = page.locator('form', { has: page.getByLabel('Password') });
      await hydrated(form);
      const password = form.getByLabel('Password');
      await password.fill('correct horse battery');
      const toggle = form.getByRole('button', { name: 'Show password' });
      await expect(toggle).toHaveAttribute('aria-pressed', 'false');
      await expect(password).toHaveAttribute('type', 'password');
      await password.focus();
      await page.keyboard.press('Tab');
      await expectFocused(toggle);
      await page.keyboard.press('Enter');
      await expect(toggle).toHaveAttribute('aria-pressed', 'true');
      await expect(password).toHaveAttribute('type', 'text');
      await expectFocused(toggle);
      await page.keyboard.press('Space');
      await expect(toggle).toHaveAttribute('aria-pressed', 'false');
      await expect(password).toHaveAttribute('type', 'password');
      await expect(password).toHaveValue('correct horse battery');
    });
  }

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    test('the password fields are plain password inputs with no toggle that could not work', async ({ page }) => {
      for (const path of ['/sign-up', '/sign-in']) {
        await page.goto(path);
        await expect(page.getByLabel('Password'), path).toHaveAttribute('type', 'password');
        await expect(page.getByRole('button', { name: 'Show password' }), path).toHaveCount(0);
      }
    });
  });

  test('every customer page sends a signed-out visitor to /sign-in?next=…, and / is a landing page', async ({
    page,
  }) => {
    const paths = ['/accounts/0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b', '/settings', '/settings/api-keys'];
    for (const path of paths) {
      const response = await page.request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(307);
      expect(response.headers().location, path).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
    }
    const landing = await page.goto('/');
    expect(landing?.status()).toBe(200);
    await expect(page.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
    await expect(page.getByRole('link', { name: 'Create account' })).toHaveAttribute('href', '/sign-up');
    await expect(page.getByRole('form', { name: 'Open account' })).toHaveCount(0);
    await expect(page.getByTestId('account-row')).toHaveCount(0);
  });

  test('every customer API answers 401 problem+json with WWW-Authenticate: Bearer', async ({ request }) => {
    const id = '0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b';
    const calls = [
      request.get('/api/accounts'),
      request.get(`/api/accounts/${id}`),
      request.get(`/api/accounts/${id}/events`),
      request.post('/api/accounts', { data: { name: 'X' }, headers: { 'idempotency-key': 'k1' } }),
      request.post(`/api/accounts/${id}/deposits`, { data: { amount: '1.00' }, headers: { 'idempotency-key': 'k2' } }),
      request.post(`/api/accounts/${id}/withdrawals`, {
        data: { amount: '1.00' },
        headers: { 'idempotency-key': 'k3' },
      }),
      request.post('/api/transfers', {
        data: { from: id, toAccountNumber: '100000000008', amount: '1.00' },
        headers: { 'idempotency-key': 'k4' },
      }),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status(), response.url()).toBe(401);
      expect(response.headers()['content-type']).toBe('application/problem+json');
      expect(response.headers()['www-authenticate']).toBe('Bearer realm="idem"');
      expect(await response.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
    }
  });

  test('a wrong password gets one generic message; the right one honours ?next=, but only on this site', async ({
    page,
    browser,
    baseURL,
  }) => {
    const setup = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
    const { email, password } = await signUp(setup, baseURL!, 'Grace');
    await setup.close();

    await page.goto('/sign-in?next=%2Fsettings%2Fapi-keys');
    await submitSignIn(page, email, 'wrong password');
    await expect(signInError(page)).toHaveText(INCORRECT_SIGN_IN);
    await submitSignIn(page, uniqueEmail('nobody'), 'wrong password');
    await expect(signInError(page)).toHaveText(INCORRECT_SIGN_IN);
    await submitSignIn(page, email, password);
    await expect(page).toHaveURL(/\/settings\/api-keys$/);

    // Signed in, the sign-in page forwards to next, never to another site.
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await expect(page).toHaveURL(`${baseURL}/`);
    }
  });
});

test('sign out: the old session cookie, replayed, gets a redirect from pages and 401 from the API', async ({
  page,
  account,
  playwright,
  baseURL,
}) => {
  await page.goto(account.url);
  const cookie = await cookieHeader(page);
  const replay = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie } });
  try {
    expect((await replay.get('/api/accounts')).status()).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('status')).toHaveText('You have been signed out.');
    await expect(page).toHaveURL(/\/sign-in\?signed-out=1$/);

    expect((await replay.get('/api/accounts')).status()).toBe(401);
    const pageResponse = await replay.get(account.url, { maxRedirects: 0 });
    expect(pageResponse.status()).toBe(307);
    expect(pageResponse.headers().location).toBe(`/sign-in?next=${encodeURIComponent(account.url)}`);
  } finally {
    await replay.dispose();
  }
});

test('"Sign out everywhere" ends the session of a second browser too', async ({ page, browser, customer, baseURL }) => {
  const second = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  try {
    await signInAs(second, baseURL!, customer);
    const other = await second.newPage();
    await other.goto('/settings');
    await expect(other.getByRole('heading', { name: 'Settings' })).toBeVisible();

    await page.goto('/settings');
    await expect(page.getByTestId('session-count')).toHaveText('Signed in on 2 browsers.');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect(page.getByRole('status')).toHaveText('You have been signed out on every device.');

    await other.reload();
    await expect(other).toHaveURL(/\/sign-in\?next=%2Fsettings$/);
    expect((await second.request.get('/api/accounts')).status()).toBe(401);
  } finally {
    await second.close();
  }
});

test('settings names each signed-in browser (browser, address, last use, "This browser"); "Sign out" ends that one only, never someone else’s', async ({
  page,
  browser,
  customer,
  baseURL,
  db,
}) => {
  const iphone =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  const second = await browser.newContext({
    userAgent: iphone,
    extraHTTPHeaders: { 'x-forwarded-for': clientAddress() },
  });
  const stranger = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  try {
    await signInAs(second, baseURL!, customer);
    const someoneElse = await signUp(stranger, baseURL!);
    const { rows: stored } = await db.query<{ ip_address: string | null }>(
      'SELECT ip_address FROM sessions WHERE user_id = $1 AND user_agent = $2',
      [customer.id, iphone],
    );
    expect(stored).toHaveLength(1);

    await page.goto('/settings');
    const rows = page.getByTestId('session-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('This browser');
    await expect(rows.first().getByRole('button')).toHaveCount(0); // this one signs out with the header's button
    const phone = rows.filter({ hasText: 'Safari 17 on iPhone' });
    await expect(phone).not.toContainText('This browser');
    await expect(phone).toContainText(stored[0]!.ip_address ?? 'address unknown');
    await expect(phone).toContainText(/last used \S/);
    const signOutPhone = phone.getByRole('button', { name: 'Sign out Safari 17 on iPhone' });

    // A crafted id (someone else's session) in the form: refused, and nobody is signed out.
    const { rows: theirs } = await db.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1', [
      someoneElse.id,
    ]);
    await phone
      .locator('input[name="sessionId"]')
      .evaluate((input, id) => ((input as HTMLInputElement).value = id), theirs[0]!.id);
    await signOutPhone.click();
    await expect(
      page
        .getByRole('alert')
        .filter({ hasText: 'That session has already ended or is not one of yours: nothing was changed.' }),
    ).toBeVisible();
    expect((await stranger.request.get('/api/accounts')).status()).toBe(200);
    expect((await second.request.get('/api/accounts')).status()).toBe(200);
    await expect(rows).toHaveCount(2);

    await signOutPhone.click();
    await expect(page.getByRole('status').filter({ hasText: 'That browser is signed out.' })).toBeVisible();
    await expect(rows).toHaveCount(1);
    await expect(page.getByTestId('session-count')).toHaveText('Signed in on 1 browser.');
    expect((await second.request.get('/api/accounts')).status()).toBe(401);
    expect((await page.request.get('/api/accounts')).status()).toBe(200);
    expect((await stranger.request.get('/api/accounts')).status()).toBe(200);
    await expect(page.getByRole('button', { name: 'Sign out everywhere' })).toBeVisible();
  } finally {
    await second.close();
    await stranger.close();
  }
});

test('API key: created once, shown once, works as Bearer on the JSON API, revoked → 401', async ({
  page,
  account,
  playwright,
  baseURL,
}) => {
  await page.goto('/settings');
  await page.getByRole('link', { name: 'Manage API keys' }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
  await page.getByLabel('Key name').fill('billing server');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const shown = page.getByTestId('new-api-key');
  await expect(shown).toHaveText(/^idem_[A-Za-z0-9]{64}$/);
  const key = (await shown.textContent())!;
  await expect(page.getByTestId('api-key-row')).toHaveCount(1);
  await expect(page.getByTestId('api-key-row')).toContainText('billing server');
  await expect(page.getByTestId('api-key-row')).toContainText('never');
  await page.reload();
  await expect(page.getByTestId('new-api-key')).toHaveCount(0);
  expect(await page.content()).not.toContain(key);

  const client = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  try {
    const listed = await client.get('/api/accounts');
    expect(listed.status()).toBe(200);
    const withdrawal = await client.post(`/api/accounts/${account.id}/withdrawals`, {
      data: { amount: '1.00' },
      headers: { 'idempotency-key': `api-key-${key.slice(-8)}` },
    });
    expect(withdrawal.status()).toBe(201);

    await page.reload();
    await expect(page.getByTestId('api-key-row')).not.toContainText('never'); // "last used" is filled in
    await page.getByTestId('api-key-row').getByRole('button', { name: 'Revoke billing server' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await expect(page.getByTestId('api-key-row')).toHaveCount(0);
    const revoked = await client.get('/api/accounts');
    expect(revoked.status()).toBe(401);
    expect(revoked.headers()['www-authenticate']).toBe('Bearer realm="idem", error="invalid_token"');
    expect(await revoked.json()).toMatchObject({
      detail: expect.stringMatching(/^The API key is invalid, expired or revoked/),
    });
  } finally {
    await client.dispose();
  }
});

test('a customer opening /admin gets the plain 404 page', async ({ page }) => {
  expect((await page.goto('/admin'))?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not found');
  expect((await page.request.get('/api/admin/events')).status()).toBe(404);
});

test('passkey: add one while signed in, then sign in with it (Chromium virtual authenticator)', async ({
  page,
  customer,
}) => {
  await addVirtualAuthenticator(page);

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey' })).toHaveText(
    'Passkey added. You can now sign in with it.',
  );
  await expect(page.getByTestId('passkey-list').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('passkey-list')).toContainText('added');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\?signed-out=1$/);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('banner')).toContainText(customer.email);
  await openAccount(page, 'Opened after a passkey sign-in', '1.00');
});
