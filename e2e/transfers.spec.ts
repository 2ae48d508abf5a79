import type { Page } from '@playwright/test';
import type pg from 'pg';
import { maskName } from '../lib/domain/mask-name';
import { actionForm, expect, hydrated, openAccount, test } from './fixtures';

async function commandEvents(db: pg.Pool, accountIds: string[]) {
  const { rows } = await db.query<{ type: string; command_id: string }>(
    `SELECT type, (SELECT c.command_id FROM commands c WHERE c.command_key = events.command_key) AS command_id FROM events WHERE stream_id = ANY($1) AND type LIKE 'MoneyTransferred%' ORDER BY global_position`,
    [accountIds.map((id) => `account-${id}`)],
  );
  return rows;
}

/** Fills the transfer form (recipient by number, spaced as people type it) and asks for the review. */
async function reviewTransfer(page: Page, toAccountNumber: string, amount: string) {
  const form = await actionForm(page, 'Transfer');
  await hydrated(form);
  await expect(form.getByRole('button', { name: 'Review transfer' })).toBeEnabled();
  await form.getByLabel('To account number').fill(toAccountNumber.replace(/(\d{4})(?=\d)/g, '$1 '));
  await form.getByLabel('Amount').fill(amount);
  await form.getByRole('button', { name: 'Review transfer' }).click();
  await expect(form.getByTestId('transfer-review')).toBeVisible();
  return form;
}

test('double-clicking Confirm transfer moves the money once; both accounts show it, linked to each other', async ({
  page,
  db,
  customer,
}) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const receiver = await openAccount(page, `Receiver ${suffix}`, '5.00');
  const sender = await openAccount(page, `Sender ${suffix}`, '100.00');

  const form = await reviewTransfer(page, receiver.accountNumber, '30.00');
  const masked = maskName(customer.name);
  await expect(form.getByTestId('recipient-name')).toHaveText(masked);
  expect(await commandEvents(db, [sender.id, receiver.id])).toEqual([]); // the review moves nothing
  await form.getByRole('button', { name: 'Confirm transfer' }).dblclick();

  await expect(form.getByRole('status')).toHaveText(`Sent $30.00 to ${masked} · new balance $70.00`);
  await expect(page.getByTestId('balance')).toHaveText('$70.00');
  await expect(page.getByTestId('form-success')).toHaveCount(1);
  const events = await commandEvents(db, [sender.id, receiver.id]);
  expect(events.map((e) => e.type).sort()).toEqual(['MoneyTransferredIn', 'MoneyTransferredOut']);
  expect(new Set(events.map((e) => e.command_id)).size).toBe(1);

  await page.keyboard.press('Escape'); // close the Transfer dialog: the page behind it is inert while it is open
  const out = page.getByTestId('transaction').first();
  await expect(out).toContainText(`Transfer to ${receiver.owner}`);
  await out.getByRole('link', { name: receiver.owner }).click();
  await expect(page.getByRole('heading', { level: 1, name: receiver.owner })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('$35.00');
  await expect(page.getByTestId('transaction').first()).toContainText(`Transfer from ${sender.owner}`);
});

test('a transfer needs a valid account number and cannot overdraw the source', async ({ page, db }) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const receiver = await openAccount(page, `Payee ${suffix}`, '');
  const sender = await openAccount(page, `Payer ${suffix}`, '10.00');
  const form = await actionForm(page, 'Transfer');
  await hydrated(form);
  await expect(form.getByRole('button', { name: 'Review transfer' })).toBeEnabled();

  await form.getByLabel('Amount').fill('1.00');
  await form.getByRole('button', { name: 'Review transfer' }).click();
  await expect(form.getByText('Enter the account number')).toBeVisible();
  await expect(form.getByLabel('To account number')).toHaveAttribute('aria-invalid', 'true');

  // One digit mistyped: a field error from the check digit, before anything is looked up.
  const digits = receiver.accountNumber.split('');
  digits[6] = String((Number(digits[6]) + 1) % 10);
  await form.getByLabel('To account number').fill(digits.join(''));
  await form.getByRole('button', { name: 'Review transfer' }).click();
  await expect(form.getByText('This account number is not valid: check the digits')).toBeVisible();
  await expect(form.getByTestId('transfer-review')).toHaveCount(0);

  await reviewTransfer(page, receiver.accountNumber, '10.01');
  await form.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(form.getByRole('alert')).toHaveText(
    /Insufficient funds: the balance is \$10\.00, less than the \$10\.01 requested\./,
  );
  expect(await commandEvents(db, [sender.id, receiver.id])).toEqual([]);
  await expect(page.getByTestId('balance')).toHaveText('$10.00');
});
