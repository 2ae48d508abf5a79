import { randomUUID } from 'node:crypto';
import type { Browser, Request } from '@playwright/test';
import { maskName } from '../lib/domain/mask-name';
import {
  actionForm,
  clientAddress,
  eventCount,
  expect,
  hydrated,
  openAccount,
  signUp,
  test,
  withField,
} from './fixtures';

// Ownership through the pages: `page` is customer A (with `account`), B is a second customer in a
// browser context of their own. B cannot see A's account, and forging the server action with A's
// account id writes nothing; every answer is the one an unknown account gets.

async function customerB(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  const customer = await signUp(context, baseURL, 'Bob Builder');
  return { context, page: await context.newPage(), customer };
}

const isActionPost = (request: Request) => request.method() === 'POST' && !!request.headers()['next-action'];
const replayHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => !['content-length', 'host', 'cookie', 'connection'].includes(name)),
  );

test("B opening A's account page gets the 404 page, like an unknown account", async ({ browser, baseURL, account }) => {
  const b = await customerB(browser, baseURL!);
  try {
    for (const path of [account.url, `/accounts/${randomUUID()}`]) {
      const response = await b.page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(b.page.getByRole('heading', { name: 'Not found' })).toBeVisible();
      await expect(b.page.getByText(account.owner)).toHaveCount(0);
      await expect(b.page.getByTestId('balance')).toHaveCount(0);
    }
  } finally {
    await b.context.close();
  }
});

test("B forging the withdraw server action with A's account id writes nothing and answers like an unknown account", async ({
  browser,
  baseURL,
  account,
  db,
}) => {
  const b = await customerB(browser, baseURL!);
  try {
    const own = await openAccount(b.page, 'Bob spending', '50.00');
    // A real withdrawal in B's own session gives the action id and the body format.
    const withdraw = await actionForm(b.page, 'Withdraw');
    await hydrated(withdraw);
    await withdraw.getByLabel('Amount').fill('1.00');
    const [request] = await Promise.all([
      b.page.waitForRequest(isActionPost),
      withdraw.getByRole('button', { name: 'Withdraw' }).click(),
    ]);
    await expect(withdraw.getByRole('status')).toHaveText('Withdrew $1.00 · new balance $49.00');
    const captured = {
      url: request.url(),
      headers: replayHeaders(await request.allHeaders()),
      body: request.postData() ?? '',
    };
    expect(captured.body).toContain(own.id);

    const forge = (accountId: string) =>
      b.page.evaluate(async ({ url, headers, body }) => (await fetch(url, { method: 'POST', headers, body })).text(), {
        ...captured,
        body: withField(captured.body.replaceAll(own.id, accountId), 'commandId', randomUUID()),
      });
    const before = await eventCount(db, account.id);
    const againstA = await forge(account.id);
    const againstNobody = await forge(randomUUID());
    expect(againstA).toContain('This account does not exist.');
    // Byte for byte the same, but for ids: the account asked for and the fresh key for the next submission.
    const uuids = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
    expect(againstA).not.toContain(account.owner);
    expect(againstA.replace(uuids, 'ID')).toBe(againstNobody.replace(uuids, 'ID'));
    expect(await eventCount(db, account.id)).toBe(before);
    expect(await eventCount(db, own.id, 'MoneyWithdrawn')).toBe(1);
  } finally {
    await b.context.close();
  }
});

test("double-clicking Confirm transfer to B's account number moves the money once", async ({
  browser,
  baseURL,
  page,
  account,
  db,
}) => {
  const b = await customerB(browser, baseURL!);
  try {
    const theirs = await openAccount(b.page, 'Bob savings', '0');
    await page.goto(account.url);
    const form = await actionForm(page, 'Transfer');
    await hydrated(form);
    await expect(form.getByRole('button', { name: 'Review transfer' })).toBeEnabled();
    await form.getByLabel('To account number').fill(theirs.accountNumber);
    await form.getByLabel('Amount').fill('12.50');
    await form.getByRole('button', { name: 'Review transfer' }).click();
    await expect(form.getByTestId('recipient-name')).toHaveText(maskName(b.customer.name));
    await form.getByRole('button', { name: 'Confirm transfer' }).dblclick();
    await expect(form.getByRole('status')).toHaveText(
      `Sent $12.50 to ${maskName(b.customer.name)} · new balance $187.50`,
    );

    const { rows } = await db.query<{ command_key: string; n: string }>(
      `SELECT command_key::text, count(*) AS n FROM events WHERE stream_id = $1 AND type = 'MoneyTransferredOut' GROUP BY command_key`,
      [`account-${account.id}`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.n).toBe('1');
    expect(await eventCount(db, theirs.id, 'MoneyTransferredIn')).toBe(1);
    await b.page.reload();
    await expect(b.page.getByTestId('balance')).toHaveText('$12.50');
  } finally {
    await b.context.close();
  }
});
