import { expect, test } from './fixtures';

// The API reference: linked from the settings page, rendered by Swagger UI from this origin under its
// Content-Security-Policy (a blocked script or style would show as a console error), no other origin.

test('settings links the API documentation; it renders every operation from this origin alone', async ({
  page,
  baseURL,
}) => {
  const errors: string[] = [];
  const elsewhere: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/favicon/.test(message.location().url)) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== new URL(baseURL!).origin) elsewhere.push(request.url());
  });

  await page.goto('/settings');
  await page.getByRole('link', { name: 'API documentation' }).click();
  await expect(page).toHaveURL(/\/api\/docs$/);
  await expect(page.getByRole('heading', { name: /Idem customer API/ })).toBeVisible();
  // One block per operation of the served document: its paths and its webhooks (the delivery).
  const document = (await (await page.request.get('/api/openapi.json')).json()) as {
    paths: Record<string, object>;
    webhooks?: Record<string, object>;
  };
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch']);
  const operations = [...Object.values(document.paths), ...Object.values(document.webhooks ?? {})].flatMap((item) =>
    Object.keys(item).filter((key) => methods.has(key)),
  );
  expect(operations.length).toBeGreaterThan(20);
  await expect(page.locator('.opblock')).toHaveCount(operations.length);
  await page.getByText('Withdraw money').click();
  await expect(page.getByText('Idempotency-Key').first()).toBeVisible();
  expect(errors).toEqual([]);
  expect(elsewhere).toEqual([]);
});
