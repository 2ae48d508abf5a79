import type { Page, Request } from '@playwright/test';
import { actionForm, clientAddress, eventCount, expect, hydrated, signInAs, test, withField } from './fixtures';

/** The server action POST the Withdraw form sends, captured so it can be replayed verbatim. */
async function captureWithdrawal(request: Request) {
  return { url: request.url(), headers: await request.allHeaders(), body: request.postData() ?? '' };
}
const isActionPost = (request: Request) => request.method() === 'POST' && !!request.headers()['next-action'];
/** Submits the Withdraw form and returns the action POST it sent. */
async function withdrawAndCapture(page: Page, amount: string) {
  const withdraw = await actionForm(page, 'Withdraw');
  await hydrated(withdraw);
  await withdraw.getByLabel('Amount').fill(amount);
  const [request] = await Promise.all([
    page.waitForRequest(isActionPost),
    withdraw.getByRole('button', { name: 'Withdraw' }).click(),
  ]);
  return captureWithdrawal(request);
}
const replayHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => !['content-length', 'host', 'cookie', 'connection'].includes(name)),
  );

test('double-clicking Withdraw records one withdrawal, changes the balance once and confirms once', async ({
  page,
  db,
  account,
}) => {
  const posts: Request[] = [];
  page.on('request', (r) => isActionPost(r) && posts.push(r));
  const withdraw = await actionForm(page, 'Withdraw');
  await hydrated(withdraw);
  await withdraw.getByLabel('Amount').fill('10.00');
  await expect(withdraw.getByRole('button', { name: 'Withdraw' })).toBeEnabled();
  await withdraw.getByRole('button', { name: 'Withdraw' }).dblclick();

  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $10.00 · new balance $190.00');
  await expect(page.getByTestId('balance')).toHaveText('$190.00');
  await expect(page.getByTestId('form-success')).toHaveCount(1);
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(1);
  expect(posts).toHaveLength(1);
});

test('the same submission replayed from a second browser context is recorded once', async ({
  page,
  db,
  account,
  customer,
  browser,
  baseURL,
}) => {
  const withdraw = await actionForm(page, 'Withdraw');
  const captured = await withdrawAndCapture(page, '25.00');
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $25.00 · new balance $175.00');

  const other = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  try {
    await signInAs(other, baseURL!, customer); // the same customer's other browser
    const otherPage = await other.newPage();
    await otherPage.goto(account.url);
    const response = await other.request.post(captured.url, {
      headers: replayHeaders(captured.headers),
      data: captured.body,
    });
    expect(response.status()).toBe(200);
    const text = await response.text();
    expect(text).toContain('"replayed":true');
    expect(text).toContain('Withdrew $25.00 · new balance $175.00');
    await otherPage.reload();
    await expect(otherPage.getByTestId('balance')).toHaveText('$175.00');
  } finally {
    await other.close();
  }
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(1);
});

test('a duplicate POST forced past the client guard still records one withdrawal and answers with a replayed success', async ({
  page,
  db,
  account,
}) => {
  const withdraw = await actionForm(page, 'Withdraw');
  const captured = await withdrawAndCapture(page, '40.00');
  await expect(withdraw.getByRole('status')).toBeVisible();

  // Five copies at once, straight from the page, bypassing the form's pending guard.
  const replies = await page.evaluate(
    async ({ url, headers, body }) =>
      Promise.all(
        Array.from({ length: 5 }, () =>
          fetch(url, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, text: await r.text() })),
        ),
      ),
    { url: captured.url, headers: replayHeaders(captured.headers), body: captured.body },
  );
  for (const reply of replies) {
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('"replayed":true');
    expect(reply.text).toContain('Withdrew $40.00 · new balance $160.00');
  }
  expect(await eventCount(db, account.id, 'MoneyWithdrawn')).toBe(1);
  await page.reload();
  await expect(page.getByTestId('balance')).toHaveText('$160.00');
});

test('the server re-validates: a forged action call with a bad amount changes nothing', async ({
  page,
  db,
  account,
}) => {
  const withdraw = await actionForm(page, 'Withdraw');
  const captured = await withdrawAndCapture(page, '1.00');
  await expect(withdraw.getByRole('status')).toBeVisible();
  const before = await eventCount(db, account.id);

  const forged = withField(withField(captured.body, 'amount', '-500'), 'commandId', 'forged-key-1');
  expect(forged).toContain('-500');
  const text = await page.evaluate(
    async ({ url, headers, body }) => (await fetch(url, { method: 'POST', headers, body })).text(),
    {
      url: captured.url,
      headers: replayHeaders(captured.headers),
      body: forged,
    },
  );
  expect(text).toContain('"status":"invalid"');
  expect(text).toContain('Amount cannot be negative');
  expect(await eventCount(db, account.id)).toBe(before);
});

test('a cross-origin server action POST is refused', async ({ page, db, account, request: api }) => {
  const withdraw = await actionForm(page, 'Withdraw');
  const captured = await withdrawAndCapture(page, '1.00');
  await expect(withdraw.getByRole('status')).toBeVisible();
  const before = await eventCount(db, account.id);

  const body = withField(captured.body, 'commandId', 'cross-site-key-1');
  const response = await api.post(captured.url, {
    headers: { ...replayHeaders(captured.headers), origin: 'https://evil.example' },
    data: body,
  });
  expect(response.status()).toBeGreaterThanOrEqual(400);
  expect(await eventCount(db, account.id)).toBe(before);
});
