import type { Page } from '@playwright/test';
import { submitSignIn } from './admin-auth';
import {
  actionForm,
  addVirtualAuthenticator,
  clientAddress,
  expect,
  openAccount,
  signInAs,
  signUp,
  test,
  uniqueEmail,
} from './fixtures';
import { linkIn, mailsTo, mailTo } from './mailbox';

// Identity by email, read from the mail catcher the suite's server runs: verification before the
// first sign-in, "Forgot password?" and the reset link, "Change password", answers that never tell
// whether an address has an account, and the security and money notices.

/** Signs up through the page (not verified yet). */
async function signUpThroughPage(page: Page, name: string, email: string, password: string) {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('auth-notice')).toContainText(`we sent a link to ${email}`);
}

/** What a page says, with the address in it replaced (to compare answers for two addresses). */
const answerFor = async (page: Page, email: string) =>
  (await page.getByTestId('auth-notice').innerText()).replaceAll(email, '<email>');

test.describe('signed out', () => {
  test.use({ signedIn: false });

  test('sign-in before verifying explains it; "Resend verification email" mails a new link that signs in', async ({
    page,
  }) => {
    const email = uniqueEmail('unverified');
    await signUpThroughPage(page, 'Una Verified', email, 'a long password');
    await mailTo(email, /^Confirm your email/);

    await page.goto('/sign-in');
    await submitSignIn(page, email, 'a long password');
    await expect(page.locator('#sign-in-error')).toHaveText(/^Confirm your email address first/);
    await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Resend verification email' }).click();
    await expect(page.getByTestId('auth-notice')).toContainText(
      `If ${email} is waiting to be confirmed, we sent it a new link.`,
    );
    await expect
      .poll(async () => (await mailsTo(email)).filter((m) => m.subject.startsWith('Confirm your email')).length)
      .toBe(2);

    const [latest] = (await mailsTo(email)).filter((m) => m.subject.startsWith('Confirm your email')).slice(-1);
    await page.goto(linkIn(latest!, '/api/auth/verify-email'));
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('banner')).toContainText(email);
  });

  test('forgot password → mail → new password: every old session is signed out, the new password signs in', async ({
    page,
    browser,
    baseURL,
  }) => {
    const owner = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
    const customer = await signUp(owner, baseURL!, 'Rhea Set');
    expect((await owner.request.get('/api/accounts', { headers: { origin: baseURL! } })).status()).toBe(200);

    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
    await page.getByLabel('Email').fill(customer.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByTestId('auth-notice')).toContainText(
      `If an account uses ${customer.email}, we sent it a link`,
    );

    const mail = await mailTo(customer.email, /^Choose a new password for Idem$/);
    await page.goto(linkIn(mail, '/reset-password'));
    await page.getByLabel('New password', { exact: true }).fill('a brand new password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(page).toHaveURL(/\/sign-in\?signed-out=reset$/);
    await expect(page.getByRole('status')).toHaveText(
      'Your new password is set, and every device was signed out. Sign in with it.',
    );

    expect((await owner.request.get('/api/accounts')).status()).toBe(401); // the other browser's session ended
    await owner.close();
    await submitSignIn(page, customer.email, customer.password);
    await expect(page.locator('#sign-in-error')).toHaveText(/^Email or password is incorrect\./);
    await submitSignIn(page, customer.email, 'a brand new password');
    await expect(page).toHaveURL(/\/$/);
    expect((await mailTo(customer.email, /^Your Idem password was reset$/)).text).toContain(
      'Every session was signed out.',
    );

    // The link works once.
    await page.goto(linkIn(mail, '/reset-password'));
    await page.getByLabel('New password', { exact: true }).fill('yet another password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(page.locator('#reset-password-error')).toHaveText(/^This link has expired or was already used\./);
  });

  test('no answer tells whether an address has an account: forgot password, resend verification, sign-up', async ({
    page,
    browser,
    baseURL,
  }) => {
    const setup = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
    const known = await signUp(setup, baseURL!);
    await setup.close();
    await mailTo(known.email, /^Confirm your email/); // the one from signing up (the fixture then verified the address)
    const unknown = uniqueEmail('nobody');

    const forgot = async (email: string) => {
      await page.goto('/forgot-password');
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await expect(page.getByTestId('auth-notice')).toBeVisible();
      return answerFor(page, email);
    };
    expect(await forgot(unknown)).toBe(await forgot(known.email));
    await mailTo(known.email, /^Choose a new password/);

    const signUpAnswer = async (email: string) => {
      await signUpThroughPage(page, 'Some One', email, 'some long password');
      return answerFor(page, email);
    };
    expect(await signUpAnswer(uniqueEmail('brand-new'))).toBe(await signUpAnswer(known.email));

    // Resend verification is offered only after the right password; its endpoint answers alike anyway.
    const resend = async (email: string) => {
      const response = await page.request.post('/api/auth/send-verification-email', {
        data: { email },
        headers: { origin: baseURL! },
      });
      return { status: response.status(), body: await response.text() };
    };
    expect(await resend(unknown)).toEqual(await resend(known.email));
    // Neither address got a verification mail from that (one is unknown, the other verified).
    expect((await mailsTo(known.email)).filter((m) => m.subject.startsWith('Confirm your email'))).toHaveLength(1);
    expect(await mailsTo(unknown)).toHaveLength(0);
  });

  test('forgot and reset password work without JavaScript', async ({ browser, baseURL }) => {
    const setup = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
    const customer = await signUp(setup, baseURL!);
    await setup.close();
    const context = await browser.newContext({
      javaScriptEnabled: false,
      extraHTTPHeaders: { 'x-forwarded-for': clientAddress() },
    });
    try {
      const page = await context.newPage();
      await page.goto('/forgot-password');
      await page.getByLabel('Email').fill(customer.email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await expect(page.getByTestId('auth-notice')).toContainText(`If an account uses ${customer.email}`);
      await page.goto(linkIn(await mailTo(customer.email, /^Choose a new password/), '/reset-password'));
      await page.getByLabel('New password', { exact: true }).fill('set without scripts');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await expect(page).toHaveURL(/\/sign-in\?signed-out=reset$/);
      await page.getByLabel('Email').fill(customer.email);
      await page.getByLabel('Password').fill('set without scripts');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole('banner')).toContainText(customer.email);
    } finally {
      await context.close();
    }
  });
});

test('Settings → "Change password": a wrong current password is refused; the change signs out the other sessions and mails a notice', async ({
  page,
  browser,
  customer,
  baseURL,
}) => {
  const second = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  try {
    await signInAs(second, baseURL!, customer);
    expect((await second.request.get('/api/accounts')).status()).toBe(200);

    await page.goto('/settings');
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password').fill('my next password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(form.getByLabel('Current password')).toHaveAccessibleDescription('Current password is incorrect.');
    expect((await second.request.get('/api/accounts')).status()).toBe(200); // nothing changed

    await form.getByLabel('Current password').fill(customer.password);
    await form.getByLabel('New password').fill('my next password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(page).toHaveURL(/\/settings\?password=changed$/);
    await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toHaveText(
      'Password changed. Your other sessions were signed out.',
    );
    expect((await second.request.get('/api/accounts')).status()).toBe(401);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible(); // this session stays
    expect((await mailTo(customer.email, /^Your Idem password was changed$/)).text).toContain(
      'Your other sessions were signed out.',
    );
  } finally {
    await second.close();
  }
});

test('notices by mail: an API key created, a passkey added, a transfer of $1,000.00', async ({
  page,
  customer,
  browser,
  baseURL,
}) => {
  await page.goto('/settings/api-keys');
  await page.getByLabel('Key name').fill('payroll');
  await page.getByRole('button', { name: 'Create API key' }).click();
  await expect(page.getByTestId('new-api-key')).toBeVisible();
  expect((await mailTo(customer.email, /^A new API key was created$/)).text).toContain('“payroll”');

  await addVirtualAuthenticator(page);
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey' })).toHaveText(
    'Passkey added. You can now sign in with it.',
  );
  await mailTo(customer.email, /^A passkey was added to your account$/);

  const other = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  await signUp(other, baseURL!, 'Penny Payee');
  const theirs = await openAccount(await other.newPage(), 'Payee main', '1.00');
  await other.close();
  const mine = await openAccount(page, 'Big spender', '2,500.00');
  await page.goto(mine.url);
  const transfer = await actionForm(page, 'Transfer');
  for (const amount of ['999.99', '1,000.00']) {
    await transfer.getByLabel('To account number').fill(theirs.accountNumber);
    await transfer.getByLabel('Transfer amount').fill(amount);
    await transfer.getByRole('button', { name: 'Review transfer' }).click();
    await transfer.getByRole('button', { name: 'Confirm transfer' }).click();
    await expect(transfer.getByRole('status')).toContainText(`Sent $${amount}`);
  }
  const mail = await mailTo(customer.email, /^You sent \$1,000\.00$/);
  expect(mail.text).toContain('left your account “Big spender”');
  expect((await mailsTo(customer.email)).filter((m) => m.subject.startsWith('You sent')).map((m) => m.subject)).toEqual(
    ['You sent $1,000.00'],
  );
});
