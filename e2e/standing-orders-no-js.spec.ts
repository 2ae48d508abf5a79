import { maskName } from '../lib/domain/mask-name';
import { expect, openAccountWithoutJs, test } from './fixtures';

// Standing orders without JavaScript: "New standing order" is a link to a page of its own, the
// review is a GET of that page, the confirmation and "Cancel" are plain form POSTs answered by
// redirects. A refused field says what is wrong and creates nothing.

test.use({ javaScriptEnabled: false });

test('create, review and cancel a standing order without JavaScript', async ({ page, db, customer }) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const payee = await openAccountWithoutJs(page, `Payee ${suffix}`, '0.00');
  const payer = await openAccountWithoutJs(page, `Payer ${suffix}`, '50.00');

  await page.getByRole('region', { name: 'Standing orders' }).getByRole('link', { name: 'New standing order' }).click();
  await page.waitForURL(`**/accounts/${payer.id}/standing-orders/new`);
  const form = page.getByRole('form', { name: 'New standing order' });
  await form.getByLabel('Pay to account number').fill(payee.accountNumber);
  await form.getByLabel('Amount').fill('abc');
  await form.getByLabel('Every').selectOption({ label: 'last day of the month' });
  await form.getByRole('button', { name: 'Review standing order' }).click();
  await expect(form.getByLabel('Amount')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert')).toBeVisible();

  await form.getByLabel('Amount').fill('5.00');
  await form.getByRole('button', { name: 'Review standing order' }).click();
  await expect(page.getByTestId('recipient-name')).toHaveText(maskName(customer.name));
  await expect(page.getByTestId('standing-order-review')).toContainText('every last day of the month');
  await page.getByRole('button', { name: 'Confirm standing order' }).click();
  await page.waitForURL(new RegExp(`/accounts/${payer.id}\\?standing-order=created`));
  const order = page.getByTestId('standing-order');
  await expect(order).toHaveCount(1);
  await expect(order).toContainText('$5.00');
  await expect(order.getByTestId('next-payment')).not.toHaveText('Next payment: none');

  await order.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('standing-order-notice')).toContainText('Standing order cancelled.');
  await expect(page.getByTestId('next-payment')).toHaveText('Next payment: none');
  const { rows } = await db.query(`SELECT status FROM standing_orders WHERE from_account_id = $1`, [payer.id]);
  expect(rows).toEqual([{ status: 'cancelled' }]);
});
