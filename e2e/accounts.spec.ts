import { signIn } from './admin-auth';
import { actionForm, clientAddress, commandCount, eventCount, expect, hydrated, openAccount, test } from './fixtures';

test('open an account, deposit and withdraw: confirmation, balance and history update', async ({ page, db }) => {
  const account = await openAccount(page, 'Ada Lovelace', '1,234.56');
  await expect(page.getByTestId('balance')).toHaveText('$1,234.56');

  const deposit = await actionForm(page, 'Deposit');
  await hydrated(deposit);
  await deposit.getByLabel('Amount').fill('15.44');
  await deposit.getByRole('button', { name: 'Deposit' }).click();
  await expect(deposit.getByRole('status')).toHaveText('Deposited $15.44 · new balance $1,250.00');
  await expect(page.getByTestId('balance')).toHaveText('$1,250.00');

  const withdraw = await actionForm(page, 'Withdraw');
  await withdraw.getByLabel('Amount').fill('50');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $50.00 · new balance $1,200.00');
  await expect(page.getByTestId('balance')).toHaveText('$1,200.00');

  const rows = page.getByTestId('transaction');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('Withdrawal');
  await expect(rows.nth(0)).toContainText('$1,200.00');
  await expect(rows.nth(2)).toContainText('$1,234.56');
  expect(await eventCount(db, account.id)).toBe(4);

  await page.goto('/');
  await expect(page.getByTestId('account-row').filter({ hasText: 'Ada Lovelace' }).first()).toContainText('$1,200.00');
});

test('a withdrawal beyond the balance is refused with the balance and the amount, and writes no event', async ({
  page,
  db,
  account,
}) => {
  const withdraw = await actionForm(page, 'Withdraw');
  await withdraw.getByLabel('Amount').fill('200.01');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('alert')).toHaveText(
    /Insufficient funds: the balance is \$200\.00, less than the \$200\.01 requested\./,
  );
  await expect(page.getByTestId('balance')).toHaveText('$200.00');
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(0);

  // The rejection spent that key; the next attempt is a new request and goes through.
  await withdraw.getByLabel('Amount').fill('200');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $200.00 · new balance $0.00');
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(1);
});

for (const [amount, message] of [
  ['abc', /Enter an amount in dollars/],
  ['-5', /cannot be negative/],
  ['0', /greater than zero/],
  ['1.234', /at most 2 decimal places/],
  ['1e3', /Enter an amount in dollars/],
  ['', /Enter an amount/],
  ['99999999999', /at most \$1,000,000\.00/],
] as const) {
  test(`the amount ${JSON.stringify(amount)} shows a field error and writes nothing`, async ({ page, db, account }) => {
    const before = await commandCount(db, account.id);
    const withdraw = await actionForm(page, 'Withdraw');
    const field = withdraw.getByLabel('Amount');
    await field.fill(amount);
    await withdraw.getByRole('button', { name: 'Withdraw' }).click();
    await expect(withdraw.getByRole('alert')).toHaveText(message);
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('balance')).toHaveText('$200.00');
    expect(await commandCount(db, account.id)).toBe(before);
  });
}

test('the open-account form validates the account name', async ({ page }) => {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Open account' });
  await expect(form.getByRole('button', { name: 'Open account' })).toBeEnabled();
  await form.getByLabel('Account name').fill('   ');
  await form.getByRole('button', { name: 'Open account' }).click();
  await expect(form.getByRole('alert')).toHaveText('Enter a name for the account');
  await form.getByLabel('Account name').fill('x'.repeat(81));
  await form.getByLabel('Opening deposit').fill('12.345');
  await form.getByRole('button', { name: 'Open account' }).click();
  await expect(form.getByText('An account name can be at most 80 characters')).toBeVisible();
  await expect(form.getByText('Amount can have at most 2 decimal places')).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
});

test('account names are rendered as text, never as HTML', async ({ page }) => {
  const owner = '<img src=x onerror="window.__pwned=1">Robert\'); DROP TABLE events;--';
  await openAccount(page, owner, '');
  await expect(page.getByTestId('balance')).toHaveText('$0.00');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

test('unknown and malformed account ids get a 404 page', async ({ page }) => {
  for (const path of [
    '/accounts/not-a-uuid',
    '/accounts/0b6f7a52-3f0e-4a56-9d7c-1d2a3e4f5a6b',
    "/accounts/1'%20OR%201=1",
  ]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  }
});

test('the event appears in the admin event history, filterable by stream and type', async ({
  page: customerPage,
  browser,
  account,
}) => {
  const withdraw = await actionForm(customerPage, 'Withdraw');
  await withdraw.getByLabel('Amount').fill('12.34');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('status')).toBeVisible();

  // The admin, in a browser of their own.
  const admin = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  const page = await admin.newPage();
  await signIn(page, `/admin/events?stream=account-${account.id}`);
  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('MoneyWithdrawn');
  await expect(rows.nth(0)).toContainText(/"amountCents":\s*1234\b/); // the console pretty-prints the JSON
  await expect(rows.nth(2)).toContainText('AccountOpened');

  await page.getByLabel('Event type').selectOption('MoneyWithdrawn');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/type=MoneyWithdrawn/);
  await expect(rows).toHaveCount(1);
  await admin.close();
});
