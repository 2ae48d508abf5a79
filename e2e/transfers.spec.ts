import type pg from 'pg';
import { expect, openAccount, test } from './fixtures';

async function commandEvents(db: pg.Pool, accountIds: string[]) {
  const { rows } = await db.query<{ type: string; command_id: string }>(
    `SELECT type, command_id FROM events WHERE stream_id = ANY($1) AND type LIKE 'MoneyTransferred%' ORDER BY global_position`,
    [accountIds.map((id) => `account-${id}`)],
  );
  return rows;
}

test('double-clicking Transfer moves the money once; both accounts show it, linked to each other', async ({ page, db }) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const receiver = await openAccount(page, `Receiver ${suffix}`, '5.00');
  const sender = await openAccount(page, `Sender ${suffix}`, '100.00');

  const form = page.getByRole('form', { name: 'Transfer' });
  await form.getByLabel('To account').selectOption({ label: `${receiver.owner} (${receiver.id.slice(0, 8)})` });
  await form.getByLabel('Amount').fill('30.00');
  await expect(form.getByRole('button', { name: 'Transfer' })).toBeEnabled();
  await form.getByRole('button', { name: 'Transfer' }).dblclick();

  await expect(form.getByRole('status')).toHaveText(/Transferred \$30\.00\. New balance: \$70\.00\./);
  await expect(page.getByTestId('balance')).toHaveText('$70.00');
  await expect(page.getByTestId('form-success')).toHaveCount(1);
  const events = await commandEvents(db, [sender.id, receiver.id]);
  expect(events.map((e) => e.type).sort()).toEqual(['MoneyTransferredIn', 'MoneyTransferredOut']);
  expect(new Set(events.map((e) => e.command_id)).size).toBe(1);

  const out = page.getByTestId('transaction').first();
  await expect(out).toContainText(`Transfer to ${receiver.owner}`);
  await out.getByRole('link', { name: receiver.owner }).click();
  await expect(page.getByRole('heading', { level: 1, name: receiver.owner })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('$35.00');
  await expect(page.getByTestId('transaction').first()).toContainText(`Transfer from ${sender.owner}`);
});

test('a transfer needs a destination and cannot overdraw the source', async ({ page, db }) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const receiver = await openAccount(page, `Payee ${suffix}`, '');
  const sender = await openAccount(page, `Payer ${suffix}`, '10.00');
  const form = page.getByRole('form', { name: 'Transfer' });
  await expect(form.getByRole('button', { name: 'Transfer' })).toBeEnabled();

  await form.getByLabel('Amount').fill('1.00');
  await form.getByRole('button', { name: 'Transfer' }).click();
  await expect(form.getByText('Choose an account to transfer to')).toBeVisible();
  await expect(form.getByLabel('To account')).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('To account').selectOption({ label: `${receiver.owner} (${receiver.id.slice(0, 8)})` });
  await form.getByLabel('Amount').fill('10.01');
  await form.getByRole('button', { name: 'Transfer' }).click();
  await expect(form.getByRole('alert')).toHaveText(/Insufficient funds: the balance is \$10\.00, less than the \$10\.01 requested\./);
  expect(await commandEvents(db, [sender.id, receiver.id])).toEqual([]);
  await expect(page.getByTestId('balance')).toHaveText('$10.00');
});
