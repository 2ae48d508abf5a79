import { randomUUID } from 'node:crypto';
import { maskName } from '../lib/domain/mask-name';
import { NO_DOCUMENT_POLICY } from '../lib/http/security-headers';
import { e2eOrigin } from '../playwright.config';
import type { Page } from '@playwright/test';
import { actionForm, expect, openAccount, signUp, test } from './fixtures';

// Live updates: the account page follows its event stream. Two tabs of one customer stay open; money
// arrives from a second customer's transfer form and from the API; both tabs show it without a
// reload and the first announces it politely. Incoming money stays "New" until seen, and the
// accounts list counts what is unseen.

test('two open tabs show money from another customer (form and API) without a reload, announced politely', async ({
  page,
  context,
  browser,
  baseURL,
}) => {
  const suffix = randomUUID().slice(0, 6);
  const mine = await openAccount(page, `Everyday ${suffix}`, '10.00');
  const second = await context.newPage();
  await second.goto(mine.url);
  // A reload would lose these marks: they prove the pages changed in place.
  for (const tab of [page, second]) await tab.evaluate(() => ((window as { stayed?: boolean }).stayed = true));

  // Customer 2, in a browser of their own, pays through the transfer form with a reference.
  const theirs = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': `10.9.${suffix.length}.77` } });
  const payer = await signUp(theirs, baseURL!, `Grace Hopper ${suffix}`);
  const payerPage = await theirs.newPage();
  const source = await openAccount(payerPage, `Main ${suffix}`, '100.00');
  const form = await actionForm(payerPage, 'Transfer');
  await form.getByLabel('To account number').fill(mine.accountNumber);
  await form.getByLabel('Amount').fill('5.00');
  await form.getByLabel('Reference').fill('Lunch on Friday');
  await form.getByRole('button', { name: 'Review transfer' }).click();
  await expect(form.getByTestId('review-reference')).toHaveText('Reference: Lunch on Friday');
  await form.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(form.getByRole('status')).toContainText('Sent $5.00');

  const masked = maskName(payer.name);
  const announcement = page.getByTestId('live-announcement');
  await expect(announcement).toHaveAttribute('aria-live', 'polite');
  await expect(announcement).toHaveText(`Received $5.00 from ${masked}`);
  for (const tab of [page, second]) {
    await expect(tab.getByTestId('balance')).toHaveText('$15.00');
    const row = tab.getByTestId('transaction').first();
    await expect(row).toContainText(`Transfer from ${masked}`);
    await expect(row).toContainText('Lunch on Friday');
    await expect(row).toContainText('New');
  }

  // The same from the API, with the payer's session.
  const viaApi = await payerPage.request.post('/api/transfers', {
    headers: { 'idempotency-key': randomUUID(), origin: e2eOrigin },
    data: { from: source.id, toAccountNumber: mine.accountNumber, amount: '2.50', reference: 'Coffee' },
  });
  expect(viaApi.status(), await viaApi.text()).toBe(201);
  await expect(announcement).toHaveText(`Received $2.50 from ${masked}`);
  for (const tab of [page, second]) {
    await expect(tab.getByTestId('balance')).toHaveText('$17.50');
    await expect(tab.getByTestId('transaction').first()).toContainText('Coffee');
    expect(await tab.evaluate(() => (window as { stayed?: boolean }).stayed)).toBe(true);
  }
  // The sender's side shows the reference too.
  await payerPage.goto(source.url);
  await expect(payerPage.getByTestId('transaction').first()).toContainText('Coffee');
  await theirs.close();
});

test('incoming money stays New until the owner has seen it; the accounts list counts it', async ({
  page,
  browser,
  baseURL,
}) => {
  const suffix = randomUUID().slice(0, 6);
  const mine = await openAccount(page, `Savings ${suffix}`, '1.00');
  await page.goto('/');

  const theirs = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': `10.9.${suffix.length}.78` } });
  await signUp(theirs, baseURL!, `Alan Turing ${suffix}`);
  const payerPage = await theirs.newPage();
  const source = await openAccount(payerPage, `Main ${suffix}`, '50.00');
  for (const amount of ['3.00', '4.00']) {
    const sent = await payerPage.request.post('/api/transfers', {
      headers: { 'idempotency-key': randomUUID(), origin: e2eOrigin },
      data: { from: source.id, toAccountNumber: mine.accountNumber, amount },
    });
    expect(sent.status(), await sent.text()).toBe(201);
  }
  await theirs.close();

  await page.reload();
  const row = page.getByTestId('account-row').filter({ hasText: mine.owner });
  await expect(row.getByTestId('unseen-count')).toHaveText('2 new');

  await row.getByRole('link', { name: mine.owner }).click();
  await expect(page.getByTestId('balance')).toHaveText('$8.00');
  const unseen = page.locator('[data-testid="transaction"][data-unseen]');
  await expect(unseen).toHaveCount(2);
  for (const marked of await unseen.all()) await expect(marked).toContainText('New');

  // Seen now: the list counts nothing and the marks are gone on the next visit.
  await page.goto('/');
  await expect(page.getByTestId('account-row').filter({ hasText: mine.owner }).getByTestId('unseen-count')).toHaveCount(
    0,
  );
  await page.goto(mine.url);
  await expect(page.getByTestId('balance')).toHaveText('$8.00');
  await expect(page.locator('[data-testid="transaction"][data-unseen]')).toHaveCount(0);
});

/** Every page render the browser asks for on `path`: action calls and the router's refreshes (RSC GETs; link prefetches are not renders of it). */
function pageCalls(page: Page, path: string) {
  const calls: string[] = [];
  page.on('request', (request) => {
    const headers = request.headers();
    if (new URL(request.url()).pathname !== path || headers['next-router-prefetch']) return;
    if (request.method() === 'POST' && headers['next-action']) calls.push('action');
    else if (request.method() === 'GET' && headers.rsc === '1') calls.push('refresh');
  });
  return calls;
}

/** Money into the account from elsewhere: a deposit through the API with the page's session. */
async function depositFromApi(page: Page, accountId: string, amount: string) {
  const deposit = await page.request.post(`/api/accounts/${accountId}/deposits`, {
    headers: { 'idempotency-key': randomUUID(), origin: e2eOrigin },
    data: { amount },
  });
  expect(deposit.status(), await deposit.text()).toBe(201);
}

/** Sends the account page's Withdraw dialog; the form, for its answer. */
async function withdrawOnPage(page: Page, amount: string) {
  const form = await actionForm(page, 'Withdraw');
  await form.getByLabel('Amount').fill(amount);
  await form.getByRole('button', { name: 'Withdraw' }).click();
  return form;
}

type Answer = { revalidated: string | null; csp: string | null; body: string };

/** The server actions' answers on `path`, as the server sent them. */
async function actionAnswers(page: Page, path: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  await page.route(`**${path}`, async (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    const response = await route.fetch();
    const headers = response.headers();
    answers.push({
      revalidated: headers['x-action-revalidated'] ?? null,
      csp: headers['content-security-policy'] ?? null,
      body: await response.text(),
    });
    await route.fulfill({ response });
  });
  return answers;
}

test('the page is rendered once per change: its own withdrawal not at all (the answer carries what changed), money from elsewhere by the live feed', async ({
  page,
  account,
}) => {
  const streamed = page.waitForRequest((r) => r.url().includes(`/api/accounts/${account.id}/events/stream`));
  await page.reload();
  await streamed;
  const calls = pageCalls(page, account.url);
  const answers = await actionAnswers(page, account.url);

  const form = await withdrawOnPage(page, '5.00');
  await expect(form.getByRole('status')).toContainText('Withdrew $5.00');
  await expect(page.getByTestId('balance')).toHaveText('$195.00');
  // The row the withdrawal wrote is on top, marked as what just happened.
  const newest = page.getByTestId('transaction').first();
  await expect(newest).toContainText('$5.00');
  await expect(newest).toHaveAttribute('data-new', 'true');
  // Its answer was the form's state alone: nothing revalidated, no page rendered into it.
  expect(answers).toHaveLength(1);
  expect(answers[0]!.revalidated).toBeNull();
  expect(answers[0]!.body).toContain('"balanceCents":19500');
  expect(answers[0]!.body).not.toContain('history-heading');
  // Not a document: nothing may load or frame it (proxy.ts).
  expect(answers[0]!.csp).toBe(NO_DOCUMENT_POLICY);
  // The live feed brought the same withdrawal: announced, not rendered again.
  const announcement = page.getByTestId('live-announcement');
  await expect(announcement).toHaveText('Withdrew $5.00');

  // Money from elsewhere (the API) is what the feed renders.
  await depositFromApi(page, account.id, '1.00');
  await expect(announcement).toHaveText('Deposited $1.00');
  await expect(page.getByTestId('balance')).toHaveText('$196.00');
  await expect(page.getByTestId('transaction').first()).toContainText('$1.00');
  expect(calls).toEqual(['action', 'refresh']);
});

test('a withdrawal answered past something the page has not shown brings the page, with both', async ({
  page,
  account,
}) => {
  // No live feed: the deposit below reaches this page only through the withdrawal's answer.
  await page.route('**/events/stream**', (route) => route.abort());
  await page.reload();
  const calls = pageCalls(page, account.url);
  await depositFromApi(page, account.id, '1.00');
  await expect(page.getByTestId('balance')).toHaveText('$200.00');

  const form = await withdrawOnPage(page, '5.00');
  await expect(form.getByRole('status')).toContainText('Withdrew $5.00 · new balance $196.00');
  await expect(page.getByTestId('balance')).toHaveText('$196.00');
  const rows = page.getByTestId('transaction');
  await expect(rows.nth(0)).toContainText('$5.00');
  await expect(rows.nth(1)).toContainText('$1.00');
  expect(calls).toEqual(['action', 'refresh']);
});

test("a withdrawal on the form's own page brings that page with it", async ({ page, account }) => {
  await page.goto(`${account.url}/withdraw`);
  const form = page.getByRole('form', { name: 'Withdraw' });
  await form.getByLabel('Amount').fill('5.00');
  await form.getByRole('button', { name: 'Withdraw' }).click();
  await expect(form.getByRole('status')).toContainText('Withdrew $5.00');
  await expect(page.getByTestId('balance')).toHaveText('$195.00');
});

test('a transfer from the page renders nothing either: its row names the recipient as the history does', async ({
  page,
  account,
}) => {
  const savings = await openAccount(page, `Savings ${randomUUID().slice(0, 6)}`, '1.00');
  const streamed = page.waitForRequest((r) => r.url().includes(`/api/accounts/${account.id}/events/stream`));
  await page.goto(account.url);
  await streamed;
  const calls = pageCalls(page, account.url);
  const answers = await actionAnswers(page, account.url);
  const form = await actionForm(page, 'Transfer');
  await form.getByLabel('To account number').fill(savings.accountNumber);
  await form.getByLabel('Amount').fill('7.50');
  await form.getByLabel('Reference').fill('Rainy day');
  await form.getByRole('button', { name: 'Review transfer' }).click();
  await form.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(form.getByRole('status')).toContainText('Sent $7.50');
  await expect(page.getByTestId('balance')).toHaveText('$192.50');
  const newest = page.getByTestId('transaction').first();
  await expect(newest).toHaveAttribute('data-new', 'true');
  await expect(page.getByTestId('live-announcement')).toContainText('Sent $7.50');
  const shown = await newest.textContent();
  // Review and confirmation: two action calls, neither revalidating nor carrying the page.
  expect(calls).toEqual(['action', 'action']);
  expect(answers.map((a) => a.revalidated)).toEqual([null, null]);
  expect(answers.every((a) => !a.body.includes('history-heading'))).toBe(true);
  // The row the server renders next is the same row (its own account by name, the reference).
  await page.keyboard.press('Escape');
  await page.reload();
  await expect(page.getByTestId('transaction').first()).toContainText(savings.owner);
  await expect(page.getByTestId('transaction').first()).toContainText('Rainy day');
  expect((await page.getByTestId('transaction').first().textContent())?.replace('New', '')).toBe(
    shown?.replace('New', ''),
  );
});
