import { eventCount, expect, openAccountWithoutJs, test } from './fixtures';

// The payment reference without JavaScript: the transfer page's form carries it through the review
// (a server-rendered page with the fields as hidden inputs) to the confirmation; a bad one is a
// field error that writes nothing.

test.use({ javaScriptEnabled: false });

test('a reference goes through the no-JavaScript review and confirmation; a bad one is a field error', async ({
  page,
  db,
}) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const receiver = await openAccountWithoutJs(page, `Landlord ${suffix}`, '0.00');
  const sender = await openAccountWithoutJs(page, `Rent pot ${suffix}`, '50.00');
  await page.goto(`/accounts/${sender.id}/transfer`);
  const transfer = page.getByRole('form', { name: 'Transfer' });
  await transfer.getByLabel('To account number').fill(receiver.accountNumber);
  await transfer.getByLabel('Transfer amount').fill('20.00');

  await transfer.getByLabel('Reference').fill('x'.repeat(141));
  await transfer.getByRole('button', { name: 'Review transfer' }).click();
  await expect(transfer.getByText('A reference can be at most 140 characters')).toBeVisible();
  await expect(transfer.getByLabel('Reference')).toHaveAttribute('aria-invalid', 'true');
  expect(await eventCount(db, sender.id)).toBe(2);

  await transfer.getByLabel('Reference').fill('Rent December');
  await transfer.getByRole('button', { name: 'Review transfer' }).click();
  await expect(transfer.getByTestId('review-reference')).toHaveText('Reference: Rent December');
  await transfer.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(transfer.getByRole('status')).toContainText('Sent $20.00');

  for (const id of [sender.id, receiver.id]) {
    await page.goto(`/accounts/${id}`);
    await expect(page.getByTestId('transaction').first()).toContainText('Rent December');
  }
  const { rows } = await db.query<{ reference: string }>(
    `SELECT data->>'reference' AS reference FROM events WHERE stream_id = ANY($1) AND type LIKE 'MoneyTransferred%'`,
    [[`account-${sender.id}`, `account-${receiver.id}`]],
  );
  expect(rows.map((r) => r.reference)).toEqual(['Rent December', 'Rent December']);
});
