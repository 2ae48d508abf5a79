import type { Locator, Page, Route } from '@playwright/test';
import { maskName } from '../lib/domain/mask-name';
import { test as adminTest } from './admin-fixtures';
import { actionForm, clientAddress, expect, hydrated, openAccount, signUp, test } from './fixtures';
import { expectFocused, tabTo } from './page-checks';

// "Keep focus where the user is": on every form, submitted from the keyboard, the
// button keeps the focus while the request is in flight (marked aria-disabled, never `disabled`,
// which would drop the focus to the page body), and afterwards the focus is on the button or on
// the outcome. The server's answer is held back here until the pending state has been checked, so
// the check never races the response.

/**
 * Presses Enter on `button` (which must have the focus), holds the POST it sends until the
 * button's pending state has been checked, then lets it through.
 */
async function submitAndCheckPending(page: Page, button: Locator): Promise<void> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const posted = new Promise<void>((resolve) => (arrived = resolve));
  let holding = false;
  let sent!: () => void;
  const through = new Promise<void>((resolve) => (sent = resolve));
  const hold = async (route: Route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    holding = true;
    arrived();
    await gate;
    await route.continue();
    sent();
  };
  await page.route('**/*', hold);
  try {
    await expectFocused(button);
    await page.keyboard.press('Enter');
    await posted;
    await expect(button).toHaveAttribute('aria-disabled', 'true');
    expect(await button.evaluate((b) => (b as HTMLButtonElement).disabled)).toBe(false); // `disabled` would drop the focus
    await expectFocused(button);
  } finally {
    release();
    if (holding) await through;
    await page.unroute('**/*', hold);
  }
}

test('open account: a field refused in the browser takes the focus; pending keeps it on the button; success focuses the confirmation', async ({
  page,
}) => {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Open account' });
  await hydrated(form);
  const button = form.getByRole('button', { name: 'Open account' });
  await tabTo(page, form.getByLabel('Account name'));
  await page.keyboard.type('   ');
  await tabTo(page, button);
  await page.keyboard.press('Enter'); // refused in the browser: nothing is sent
  await expect(form.getByRole('alert')).toBeVisible();
  await expectFocused(form.getByLabel('Account name')); // the outcome: the field to correct

  await form.getByLabel('Account name').fill('Focus');
  await form.getByLabel('Opening deposit').fill('10');
  await button.focus();
  await submitAndCheckPending(page, button);
  await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
  const opened = page.getByTestId('account-opened');
  await expect(opened).toHaveText(/^Opened “Focus” with \$10\.00/);
  await expectFocused(opened);
});

test('deposit and withdraw: the button keeps the focus while pending and after the outcome', async ({
  page,
  account,
}) => {
  for (const [kind, field, amount, message] of [
    ['Deposit', 'Deposit amount', '5', 'Deposited $5.00 · new balance $205.00'],
    [
      'Withdraw',
      'Withdrawal amount',
      '1000',
      'Insufficient funds: the balance is $205.00, less than the $1,000.00 requested.',
    ],
  ] as const) {
    await page.goto(account.url);
    const form = await actionForm(page, kind); // in its dialog since the account page went phone-first
    await form.getByLabel(field).fill(amount);
    const button = form.getByRole('button', { name: kind });
    await button.focus();
    await submitAndCheckPending(page, button);
    await expect(form.getByTestId(kind === 'Deposit' ? 'form-success' : 'form-error')).toHaveText(message);
    await expectFocused(button);
  }
});

test('transfer: pending on "Review transfer" and "Confirm transfer" keeps the focus; then the review, the outcome, and after "Change" the first field', async ({
  page,
  account,
  customer,
}) => {
  const receiver = await openAccount(page, 'Focus receiver', '');
  await page.goto(account.url);
  const form = await actionForm(page, 'Transfer');
  await hydrated(form);
  await form.getByLabel('To account number').fill(receiver.accountNumber);
  await form.getByLabel('Transfer amount').fill('3');
  const reviewButton = form.getByRole('button', { name: 'Review transfer' });
  await reviewButton.focus();
  await submitAndCheckPending(page, reviewButton);
  const review = form.getByTestId('transfer-review');
  await expectFocused(review);

  const change = form.getByRole('button', { name: 'Change' });
  await change.focus();
  await submitAndCheckPending(page, change);
  await expectFocused(form.getByLabel('To account number'));
  await expect(form.getByLabel('Transfer amount')).toHaveValue('3');

  await reviewButton.focus();
  await page.keyboard.press('Enter');
  const confirm = form.getByRole('button', { name: 'Confirm transfer' });
  await confirm.focus();
  await submitAndCheckPending(page, confirm);
  await expect(form.getByRole('status')).toHaveText(`Sent $3.00 to ${maskName(customer.name)} · new balance $197.00`);
  await expectFocused(form.locator('#transfer-status'));
});

test.describe('signed out', () => {
  test.use({ signedIn: false });

  test('sign in and sign up: pending keeps the focus on the button, and it stays there with the error', async ({
    page,
    browser,
    baseURL,
  }) => {
    const setup = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
    const taken = await signUp(setup, baseURL!);
    await setup.close();

    await page.goto('/sign-in');
    const signIn = page.getByRole('form', { name: 'Sign in' });
    await hydrated(signIn);
    await signIn.getByLabel('Email').fill(taken.email);
    await signIn.getByLabel('Password').fill('not the password');
    const signInButton = signIn.getByRole('button', { name: 'Sign in' });
    await signInButton.focus();
    await submitAndCheckPending(page, signInButton);
    await expect(page.locator('#sign-in-error')).toBeVisible();
    await expectFocused(signInButton);

    await page.goto('/sign-up');
    const signUpForm = page.getByRole('form', { name: 'Create account' });
    await hydrated(signUpForm);
    await signUpForm.getByLabel('Name').fill('Focus Tester');
    // An error the server finds: a password shorter than 8 (a taken email is answered like a new one).
    await signUpForm.getByLabel('Email').fill(taken.email);
    await signUpForm.getByLabel('Password').evaluate((input) => input.removeAttribute('minlength'));
    await signUpForm.getByLabel('Password').fill('short');
    const signUpButton = signUpForm.getByRole('button', { name: 'Create account' });
    await signUpButton.focus();
    await submitAndCheckPending(page, signUpButton);
    await expect(signUpForm.getByRole('alert').first()).toBeVisible();
    await expectFocused(signUpButton);
  });
});

test('API keys: pending keeps the focus on "Create API key", which keeps it when the key is shown', async ({
  page,
}) => {
  await page.goto('/settings/api-keys');
  const form = page.getByRole('form', { name: 'Create API key' });
  await hydrated(form);
  await form.getByLabel('Key name').fill('focus');
  const button = form.getByRole('button', { name: 'Create API key' });
  await button.focus();
  await submitAndCheckPending(page, button);
  await expect(page.getByTestId('new-api-key')).toBeVisible();
  await expectFocused(button);
});

/** Waits until React has hydrated `element` (it keeps its fiber on the DOM node), so a key press reaches its handlers. */
async function reactOwns(element: Locator): Promise<void> {
  await expect
    .poll(() => element.evaluate((e) => Object.keys(e).some((key) => key.startsWith('__reactFiber'))))
    .toBe(true);
}

adminTest(
  'ops console: Verify and Disable customer keep the focus on their button while pending and after',
  async ({ adminPage: admin, customer }) => {
    await admin.goto('/admin/projections');
    const verify = admin.getByRole('region', { name: 'daily-totals' }).getByRole('button', { name: 'Verify' });
    await reactOwns(verify);
    await verify.focus();
    await submitAndCheckPending(admin, verify);
    await expect(admin.getByTestId('projection-result-daily-totals')).toHaveText(/^Verified \d+ rows?: /);
    await expectFocused(verify);

    await admin.goto(`/admin/customers?q=${encodeURIComponent(customer.email)}`);
    const disable = admin.getByRole('button', { name: `Disable customer ${customer.name}` });
    await reactOwns(disable);
    await disable.focus();
    await submitAndCheckPending(admin, disable);
    await expect(admin.getByTestId('customer-toggle-result')).toHaveText(/^Disabled /);
    const enable = admin.getByRole('button', { name: `Enable customer ${customer.name}` });
    await expectFocused(enable);
    await submitAndCheckPending(admin, enable);
    await expect(admin.getByTestId('customer-toggle-result')).toHaveText(/^Enabled /);
    await expectFocused(disable);
  },
);
