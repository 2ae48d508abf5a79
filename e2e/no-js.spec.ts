import type { Page, Request } from '@playwright/test';
import { maskName } from '../lib/domain/mask-name';
import { eventCount, expect, openAccountWithoutJs, test } from './fixtures';

// Every money form works without JavaScript, through the same server action and the same
// exactly-once pipeline. The server renders each form with a fresh key in a hidden field; the
// browser's plain POST carries it, and the page that comes back shows the outcome. Re-posting that
// page (a refresh, the back button, a double submit) writes nothing twice.

test.use({ javaScriptEnabled: false });

const isPlainPost = (request: Request) => request.method() === 'POST' && !request.headers()['next-action'];

/** Follows an account page's action link (without JavaScript, each action is a page of its own) and returns its form. */
async function actionPage(page: Page, accountId: string, kind: 'Deposit' | 'Withdraw' | 'Transfer') {
  await page.goto(`/accounts/${accountId}`);
  await page
    .getByRole('navigation', { name: 'Account actions' })
    .getByRole('link', { name: kind, exact: true })
    .click();
  await page.waitForURL(`**/accounts/${accountId}/${kind.toLowerCase()}`);
  return page.getByRole('form', { name: kind });
}

test('open an account, withdraw, and transfer through review and confirmation, all without JavaScript', async ({
  page,
  db,
  customer,
}) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const receiver = await openAccountWithoutJs(page, `Receiver ${suffix}`, '5.00');
  const sender = await openAccountWithoutJs(page, `Sender ${suffix}`, '100.00');
  await expect(page.getByTestId('account-opened')).toHaveText(
    `Opened “Sender ${suffix}” with $100.00 · account number ${sender.accountNumber.replace(/(\d{4})(?=\d)/g, '$1 ')}`,
  );
  await expect(page.getByText('Loading…')).toHaveCount(0);
  const opening = page.getByTestId('transaction').first();
  await expect(opening).toContainText('Opening deposit');
  await expect(opening).toHaveAttribute('data-new', 'true');

  // The account page holds no form without JavaScript: the balance and the history come first, and
  // each action is a link to its own page.
  await expect(page.getByRole('form', { name: 'Withdraw' })).toHaveCount(0);
  const withdraw = await actionPage(page, sender.id, 'Withdraw');
  await withdraw.getByLabel('Withdrawal amount').fill('40');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $40.00 · new balance $60.00');
  await expect(page.getByTestId('balance')).toHaveText('$60.00');
  await page.getByRole('link', { name: `← Sender ${suffix}` }).click();
  const newest = page.getByTestId('transaction').first();
  await expect(newest).toContainText('Withdrawal');
  await expect(newest.getByRole('time')).toHaveText(/^\d{2}:\d{2} UTC$/); // the viewer's zone needs JavaScript

  const transfer = await actionPage(page, sender.id, 'Transfer');
  await transfer.getByLabel('To account number').fill(receiver.accountNumber);
  await transfer.getByLabel('Transfer amount').fill('30');
  await transfer.getByRole('button', { name: 'Review transfer' }).click();
  await expect(transfer.getByTestId('transfer-review')).toBeVisible();
  await expect(transfer.getByTestId('recipient-name')).toHaveText(maskName(customer.name));
  expect(await eventCount(db, sender.id, 'MoneyTransferredOut')).toBe(0); // the review moves nothing
  await expect(withdraw.getByRole('status')).toHaveCount(0);

  await transfer.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(transfer.getByRole('status')).toHaveText(
    `Sent $30.00 to ${maskName(customer.name)} · new balance $30.00`,
  );
  await expect(page.getByTestId('balance')).toHaveText('$30.00');
  await page.goto(`/accounts/${sender.id}`);
  await expect(page.getByTestId('transaction').first()).toContainText(`Transfer to Receiver ${suffix}`); // their own account: named, not masked
  expect(await eventCount(db, sender.id, 'MoneyTransferredOut')).toBe(1);
  expect(await eventCount(db, receiver.id, 'MoneyTransferredIn')).toBe(1);
});

test('a bad amount without JavaScript: the field error comes back with the same key, and nothing is written', async ({
  page,
  db,
}) => {
  const account = await openAccountWithoutJs(page, 'Validation', '10.00');
  const withdraw = await actionPage(page, account.id, 'Withdraw');
  const key = await withdraw.locator('input[name="commandId"]').inputValue();
  await withdraw.getByLabel('Withdrawal amount').fill('1.234');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('alert')).toHaveText('Amount can have at most 2 decimal places');
  await expect(withdraw.getByLabel('Withdrawal amount')).toHaveAttribute('aria-invalid', 'true');
  await expect(withdraw.getByLabel('Withdrawal amount')).toHaveValue('1.234');
  await expect(withdraw.locator('input[name="commandId"]')).toHaveValue(key); // nothing was recorded: the key is kept
  expect(await eventCount(db, account.id)).toBe(2);

  await withdraw.getByLabel('Withdrawal amount').fill('1.23');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $1.23 · new balance $8.77');
  await expect(withdraw.locator('input[name="commandId"]')).not.toHaveValue(key); // recorded: the next one gets a new key
});

test('re-posting the no-JavaScript withdraw form (the same body again, a double submit) writes one event', async ({
  page,
  db,
}) => {
  const account = await openAccountWithoutJs(page, 'Re-post', '100.00');
  const withdraw = await actionPage(page, account.id, 'Withdraw');
  await withdraw.getByLabel('Withdrawal amount').fill('10.00');
  const [request] = await Promise.all([
    page.waitForRequest(isPlainPost),
    withdraw.getByRole('button', { name: 'Withdraw' }).click(),
  ]);
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $10.00 · new balance $90.00');
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(1);

  // What a refresh of the result page does: the browser sends the same POST again, twice here.
  const headers = await request.allHeaders();
  const body = request.postDataBuffer()!;
  expect(body.toString()).toContain('name="commandId"');
  for (let i = 0; i < 2; i++) {
    const again = await page.request.post(request.url(), {
      headers: { 'content-type': headers['content-type']!, origin: headers.origin! },
      data: body,
    });
    expect(again.status()).toBe(200);
    const html = await again.text();
    expect(html).toContain(
      'Withdrew $10.00 · new balance $90.00 (This request had already been processed; it was recorded once.)',
    );
  }
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(1);

  // A double click on the plain form: two POSTs with one key.
  await withdraw.getByLabel('Withdrawal amount').fill('5.00');
  const posts: Request[] = [];
  page.on('request', (r) => isPlainPost(r) && posts.push(r));
  await withdraw.getByRole('button', { name: 'Withdraw' }).dblclick();
  await expect(withdraw.getByRole('status')).toHaveText(/^Withdrew \$5\.00 · new balance \$85\.00/);
  expect(posts.length).toBeGreaterThanOrEqual(1);
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(2);
  await page.goto(page.url());
  await expect(page.getByTestId('balance')).toHaveText('$85.00');
});
