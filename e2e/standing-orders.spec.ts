import { maskName } from '../lib/domain/mask-name';
import { expect, openAccount, test } from './fixtures';

// A standing order in the browser: created from the account page with a payee review, its first
// payment (due today) made by the scheduler of the running instance, then cancelled.

test('creates a standing order, sees its first payment, and cancels it', async ({ page, db, customer }) => {
  test.setTimeout(180_000);
  const suffix = Math.random().toString(36).slice(2, 7);
  const payee = await openAccount(page, `Landlord ${suffix}`, '');
  const payer = await openAccount(page, `Rent ${suffix}`, '100.00');

  const section = page.getByRole('region', { name: 'Standing orders' });
  await expect(section).toBeVisible();
  await section.getByRole('button', { name: 'New standing order' }).click();
  const form = page.getByRole('form', { name: 'New standing order' });
  await form.getByLabel('Pay to account number').fill(payee.accountNumber.replace(/(\d{4})(?=\d)/g, '$1 '));
  await form.getByLabel('Amount').fill('25.00');
  await form.getByLabel('Every').selectOption({ label: 'month' });
  const today = new Date().toISOString().slice(0, 10);
  await form.getByLabel('First payment on').fill(today);
  await form.getByRole('button', { name: 'Review standing order' }).click();

  // The review names the payee (masked) and writes nothing.
  await expect(page.getByTestId('standing-order-review')).toBeVisible();
  await expect(page.getByTestId('recipient-name')).toHaveText(maskName(customer.name));
  const count = async () =>
    Number(
      (await db.query(`SELECT count(*) FROM standing_orders WHERE from_account_id = $1`, [payer.id])).rows[0].count,
    );
  expect(await count()).toBe(0);
  await page.getByRole('button', { name: 'Confirm standing order' }).dblclick();
  await page.waitForURL(new RegExp(`/accounts/${payer.id}\\?standing-order=created`));
  await expect(page.getByTestId('standing-order-notice')).toHaveText('Standing order created.');
  expect(await count()).toBe(1);

  // The first payment is today: the scheduler pays it within its interval (30 s by default).
  const order = page.getByTestId('standing-order');
  await expect(order).toHaveCount(1);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('last-outcome')).toContainText('Paid', { timeout: 1_000 });
  }).toPass({ timeout: 120_000, intervals: [1_000, 2_000, 3_000] });
  await expect(page.getByTestId('balance')).toHaveText('$75.00');
  await order.getByText('History').click();
  const paid = order.locator('[data-testid="occurrence"][data-status="paid"]');
  await expect(paid).toHaveCount(1);
  await paid.getByRole('link', { name: 'See the transfer' }).click();
  await expect(page.getByTestId('transaction').first()).toContainText(`Transfer to ${payee.owner}`);

  // Cancel: no later payment; the page says none was running.
  await page.goto(payer.url);
  await page.getByTestId('standing-order').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('standing-order-notice')).toHaveText(
    'Standing order cancelled. No payment was running.',
  );
  await expect(page.getByTestId('next-payment')).toHaveText('Next payment: none');
  await expect(page.getByTestId('standing-order').getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  const { rows } = await db.query(`SELECT status FROM standing_orders WHERE from_account_id = $1`, [payer.id]);
  expect(rows).toEqual([{ status: 'cancelled' }]);
});
