import { startReceiver, type Receiver } from '../test/webhook-receiver';
import { expect, hydrated, test } from './fixtures';
import { checkPage } from './page-checks';

// /settings/webhooks as a customer uses it: add an endpoint (the secret shown once), send a test
// event that a local receiver verifies with `standardwebhooks`, rotate the secret (both signatures
// then), disable and enable, delete. axe and the 360 px width at each step.

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(async () => {
  await receiver.stop();
});

test('manage an endpoint: add, secret once, test event, rotate, disable/enable, delete', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/settings');
  await page.getByRole('link', { name: 'Manage webhooks' }).click();
  await expect(page).toHaveURL(/\/settings\/webhooks$/);
  await expect(page).toHaveTitle('Webhooks · Idem');
  await checkPage(page, '/settings/webhooks, empty');

  const path = `/e2e/${Math.random().toString(36).slice(2)}`;
  const url = receiver.url(path);
  const form = page.getByRole('form', { name: 'Add endpoint' });
  await hydrated(form);
  await form.getByLabel('Endpoint URL').fill('not a url');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(form.getByLabel('Endpoint URL')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('webhook-endpoint')).toHaveCount(0);

  await form.getByLabel('Endpoint URL').fill(url);
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = (await page.getByTestId('webhook-secret').textContent())!;
  expect(secret).toMatch(/^whsec_/);
  receiver.trust(path, secret);
  const endpoint = page.getByTestId('webhook-endpoint').filter({ hasText: url });
  await expect(endpoint).toHaveCount(1);
  await checkPage(page, '/settings/webhooks, secret shown');

  // Shown once: a fresh page has no secret.
  await page.reload();
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);

  await endpoint.getByRole('button', { name: /^Send test event/ }).click();
  await expect.poll(() => receiver.acknowledged(path).map((r) => r.body.type)).toEqual(['webhook.test']);
  expect(receiver.badSignatures).toEqual([]);
  await expect
    .poll(async () => {
      await page.reload();
      return endpoint.getByTestId('webhook-delivery-status').first().textContent();
    })
    .toBe('Delivered');

  await endpoint.getByRole('button', { name: /^Rotate secret/ }).click();
  const rotated = (await endpoint.getByTestId('webhook-secret').textContent())!;
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);
  // During the rotation a receiver knowing either secret verifies the delivery: both signatures go.
  receiver.trust(path, rotated);
  await endpoint.getByRole('button', { name: /^Send test event/ }).click();
  await expect.poll(() => receiver.acknowledged(path).length).toBe(2);
  expect(receiver.acknowledged(path)[1]!.signatures).toBe(2);
  expect(receiver.badSignatures).toEqual([]);

  await endpoint.getByRole('button', { name: /^Disable/ }).click();
  await expect(endpoint.getByTestId('webhook-endpoint-status')).toContainText('Disabled');
  await checkPage(page, '/settings/webhooks, disabled');
  await endpoint.getByRole('button', { name: /^Enable/ }).click();
  await expect(endpoint.getByTestId('webhook-endpoint-status')).toContainText('Enabled');

  await page.setViewportSize({ width: 360, height: 740 });
  await checkPage(page, '/settings/webhooks on a phone');

  await endpoint.getByRole('button', { name: /^Delete/ }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete endpoint' }).click();
  await expect(page.getByTestId('webhook-endpoint')).toHaveCount(0);
});
