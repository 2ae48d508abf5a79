import { maskName } from '../lib/domain/mask-name';
import { actionForm, eventCount, expect, openAccount, test } from './fixtures';
import { expectFocused, tabTo } from './page-checks';

// The account page is phone-first: at 360 × 740 the balance and the account number come first and
// the history starts on the same first screen; Deposit, Withdraw and Transfer are buttons, each
// opening its form in a dialog, one at a time, that works with the keyboard alone.

test.use({ viewport: { width: 360, height: 740 } });

test('at 360 px: balance and number first, the history on the first screen, the header on one row', async ({
  page,
  account,
}) => {
  const balance = (await page.getByTestId('balance').boundingBox())!;
  const number = (await page.getByTestId('account-number').boundingBox())!;
  const history = (await page.getByRole('heading', { name: 'Transactions' }).boundingBox())!;
  const firstRow = (await page.getByTestId('transaction').first().boundingBox())!;
  expect(balance.y).toBeLessThan(number.y);
  expect(number.y).toBeLessThan(history.y);
  // On the first screen: the history's heading and its newest row, without scrolling.
  expect(firstRow.y + firstRow.height, `the newest row ends at ${firstRow.y + firstRow.height}px`).toBeLessThanOrEqual(
    740,
  );
  // No form stands between the balance and the history.
  await expect(page.getByRole('form', { name: 'Withdraw' })).toHaveCount(0);
  await expect(page.getByRole('textbox')).toHaveCount(0);
  // The header is one row: brand, navigation and "Sign out" share a line.
  const brand = (await page.getByRole('link', { name: 'Idem' }).boundingBox())!;
  const signOut = (await page.getByRole('button', { name: 'Sign out' }).boundingBox())!;
  expect(Math.abs(brand.y + brand.height / 2 - (signOut.y + signOut.height / 2))).toBeLessThan(brand.height);
  expect(account.url).toContain(account.id);
});

test('each action opens, submits and closes with the keyboard alone; one form at a time', async ({
  page,
  account,
  db,
  customer,
}) => {
  const actions = page.getByRole('group', { name: 'Account actions' });
  for (const [kind, field, amount, message] of [
    ['Deposit', 'Deposit amount', '25', 'Deposited $25.00 · new balance $225.00'],
    ['Withdraw', 'Withdrawal amount', '5', 'Withdrew $5.00 · new balance $220.00'],
  ] as const) {
    const opener = actions.getByRole('button', { name: kind, exact: true });
    await tabTo(page, opener);
    await expect(opener).toHaveAttribute('aria-expanded', 'false');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: kind });
    await expect(dialog).toBeVisible();
    await expect(page.getByRole('dialog')).toHaveCount(1);
    await expectFocused(dialog.getByLabel(field));
    await page.keyboard.type(amount);
    await page.keyboard.press('Enter');
    await expect(dialog.getByRole('status')).toHaveText(message);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expectFocused(opener); // back where the keyboard user left
  }
  await expect(page.getByTestId('balance')).toHaveText('$220.00');

  const receiver = await openAccount(page, 'Phone receiver', '');
  await page.goto(account.url);
  await tabTo(page, actions.getByRole('button', { name: 'Transfer', exact: true }));
  await page.keyboard.press('Enter');
  const transfer = page.getByRole('dialog', { name: 'Transfer' });
  await expectFocused(transfer.getByLabel('To account number'));
  await page.keyboard.type(receiver.accountNumber);
  await page.keyboard.press('Tab');
  await expectFocused(transfer.getByLabel('Transfer amount'));
  await page.keyboard.type('20');
  await page.keyboard.press('Enter');
  await expectFocused(transfer.getByTestId('transfer-review'));
  await page.keyboard.press('Tab');
  await expectFocused(transfer.getByRole('button', { name: 'Confirm transfer' }));
  await page.keyboard.press('Enter');
  await expect(transfer.getByRole('status')).toHaveText(
    `Sent $20.00 to ${maskName(customer.name)} · new balance $200.00`,
  );
  expect(await eventCount(db, account.id, 'MoneyTransferredOut')).toBe(1);
});

test('the transfer review says when the balance does not allow the amount; Confirm still decides', async ({
  page,
  account,
  db,
}) => {
  const receiver = await openAccount(page, 'Short receiver', '');
  await page.goto(account.url);
  const transfer = await actionForm(page, 'Transfer');
  await transfer.getByLabel('To account number').fill(receiver.accountNumber);
  await transfer.getByLabel('Transfer amount').fill('99,999');
  await transfer.getByRole('button', { name: 'Review transfer' }).click();
  await expect(transfer.getByTestId('review-short')).toHaveText(
    /Your balance, \$200\.00, does not allow this transfer/,
  );
  await expect(transfer.getByTestId('transfer-review')).toHaveAttribute('aria-describedby', 'review-short');
  await transfer.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(transfer.getByRole('alert')).toHaveText(/Insufficient funds/);
  expect(await eventCount(db, account.id, 'MoneyTransferredOut')).toBe(0);

  // Within the balance, the review says nothing of it.
  await transfer.getByLabel('Transfer amount').fill('10');
  await transfer.getByRole('button', { name: 'Review transfer' }).click();
  await expect(transfer.getByTestId('transfer-review')).toBeVisible();
  await expect(transfer.getByTestId('review-short')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('each action is a link to its own page with the same form', async ({ page, account }) => {
    await page.goto(account.url);
    const actions = page.getByRole('navigation', { name: 'Account actions' });
    for (const kind of ['Deposit', 'Withdraw', 'Transfer'] as const) {
      await expect(actions.getByRole('link', { name: kind, exact: true })).toHaveAttribute(
        'href',
        `${account.url}/${kind.toLowerCase()}`,
      );
    }
    await actions.getByRole('link', { name: 'Deposit', exact: true }).click();
    await expect(page).toHaveTitle(`Deposit · ${account.owner} · Idem`);
    const form = page.getByRole('form', { name: 'Deposit' });
    await form.getByLabel('Deposit amount').fill('1');
    await form.getByRole('button', { name: 'Deposit' }).click();
    await expect(form.getByRole('status')).toHaveText('Deposited $1.00 · new balance $201.00');
    await expect(page.getByTestId('balance')).toHaveText('$201.00');
  });
});
