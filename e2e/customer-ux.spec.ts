import type { Page } from '@playwright/test';
import { maskName } from '../lib/domain/mask-name';
import { actionForm, clientAddress, expect, hydrated, openAccount, signUp, test, uniqueEmail } from './fixtures';
import { checkPage, expectFocused, expectTablesFit, SIZES, tabTo } from './page-checks';

// Customer side: every customer page at phone and desktop size (no horizontal overflow,
// no serious axe violations), keyboard-only sign-in, withdrawal and transfer, and the account page
// people read: balance first, no ids, local times, a history that pages, filters and names the
// other side, and feedback that says what happened.

/** Lets the page settle: every enhanced form hydrated (local times switch to the viewer's zone then). */
async function settled(page: Page) {
  for (const form of await page
    .locator('form[aria-label]')
    .filter({ has: page.locator('input[name="commandId"]') })
    .all())
    await hydrated(form);
}

for (const size of SIZES) {
  test.describe(`${size.name} (${size.width}×${size.height})`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test.describe('signed out', () => {
      test.use({ signedIn: false });
      test('landing, sign-in and sign-up fit the screen and pass axe', async ({ page }) => {
        for (const path of ['/', '/sign-in', '/sign-up', '/no-such-page']) {
          await page.goto(path);
          await expect(page).toHaveTitle(/^\S.* · Idem$/);
          await checkPage(page, `${path} at ${size.name}`);
        }
        // A rejected sign-in renders its error too.
        await page.goto('/sign-in');
        await page.getByLabel('Email').fill(uniqueEmail('nobody'));
        await page.getByLabel('Password').fill('wrong password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.locator('#sign-in-error')).toBeVisible();
        await checkPage(page, `/sign-in with an error at ${size.name}`);
      });
    });

    test('every signed-in page fits the screen, keeps "Sign out" on it and passes axe', async ({
      page,
      account,
      browser,
      baseURL,
    }) => {
      test.setTimeout(180_000); // a dozen axe runs; the shared machine is slow, not the pages
      // Some history worth rendering: a deposit, a withdrawal, a transfer to someone else.
      const other = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
      const otherPage = await other.newPage();
      await signUp(other, baseURL!, 'Grace Hopper');
      const theirs = await openAccount(otherPage, 'Grace main', '1.00');
      await other.close();
      await page.goto(account.url);
      await settled(page);
      const deposit = await actionForm(page, 'Deposit');
      await deposit.getByLabel('Deposit amount').fill('1,000');
      await deposit.getByRole('button', { name: 'Deposit' }).click();
      await expect(deposit.getByRole('status')).toBeVisible();
      const transfer = await actionForm(page, 'Transfer');
      await transfer.getByLabel('To account number').fill(theirs.accountNumber);
      await transfer.getByLabel('Transfer amount').fill('12.34');
      await transfer.getByRole('button', { name: 'Review transfer' }).click();
      await expect(transfer.getByTestId('transfer-review')).toBeVisible();
      await checkPage(page, `account page, transfer under review, at ${size.name}`);
      await transfer.getByRole('button', { name: 'Confirm transfer' }).click();
      await expect(transfer.getByRole('status')).toBeVisible();

      for (const path of ['/', account.url, '/settings', '/settings/api-keys', '/settings/webhooks']) {
        await page.goto(path);
        await settled(page);
        await expect(page).toHaveTitle(/^\S.* · Idem$/);
        await checkPage(page, `${path} at ${size.name}`);
        const signOut = await page.getByRole('button', { name: 'Sign out', exact: true }).boundingBox();
        expect(signOut, path).not.toBeNull();
        expect(signOut!.x).toBeGreaterThanOrEqual(0);
        expect(
          signOut!.x + signOut!.width,
          `${path}: "Sign out" ends at ${signOut!.x + signOut!.width}px`,
        ).toBeLessThanOrEqual(size.width);
      }
      // States that add content: a field error, an API key shown once.
      await page.goto(account.url);
      const withdraw = await actionForm(page, 'Withdraw');
      await hydrated(withdraw);
      await withdraw.getByLabel('Withdrawal amount').fill('abc');
      await withdraw.getByRole('button', { name: 'Withdraw' }).click();
      await expect(withdraw.getByRole('alert')).toBeVisible();
      await checkPage(page, `account page with a field error in the Withdraw dialog at ${size.name}`);
      for (const kind of ['Deposit', 'Withdraw', 'Transfer'] as const) {
        await page.goto(`${account.url}/${kind.toLowerCase()}`);
        await settled(page);
        await checkPage(page, `the ${kind} page at ${size.name}`);
      }
      await page.goto('/settings/api-keys');
      await page.getByLabel('Key name').fill('a key with a long name, to see it wrap');
      await page.getByRole('button', { name: 'Create API key' }).click();
      await expect(page.getByTestId('new-api-key')).toBeVisible();
      await checkPage(page, `/settings/api-keys with a new key at ${size.name}`);
    });
  });
}

test.describe('keyboard only', () => {
  test.describe('signed out', () => {
    test.use({ signedIn: false });
    test('sign in with Tab and Enter; the skip link goes to the content', async ({ page, browser, baseURL }) => {
      const setup = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
      const customer = await signUp(setup, baseURL!);
      await setup.close();

      await page.goto('/sign-in');
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      await expectFocused(skip);
      await expect(skip).toBeInViewport();
      await page.keyboard.press('Enter');
      await expectFocused(page.locator('main'));

      await tabTo(page, page.getByLabel('Email'));
      await page.keyboard.type(customer.email);
      await page.keyboard.press('Tab');
      await expectFocused(page.getByLabel('Password'));
      await page.keyboard.type(customer.password);
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    });
  });

  test('withdraw with Tab and Enter: focus stays on the button, the outcome is announced', async ({
    page,
    account,
  }) => {
    const withdraw = await actionForm(page, 'Withdraw');
    await hydrated(withdraw);
    await tabTo(page, withdraw.getByLabel('Withdrawal amount'));
    await page.keyboard.type('12.50');
    await page.keyboard.press('Tab');
    const button = withdraw.getByRole('button', { name: 'Withdraw' });
    await expectFocused(button);
    await page.keyboard.press('Enter');
    await expect(withdraw.getByRole('status')).toHaveText('Withdrew $12.50 · new balance $187.50');
    await expectFocused(button);
    await expect(page.getByTestId('balance')).toHaveText('$187.50');
    await expect(page).toHaveURL(new RegExp(`${account.url}$`));
  });

  test('transfer with Tab and Enter: review, then confirm; focus follows each step', async ({
    page,
    account,
    customer,
  }) => {
    const receiver = await openAccount(page, 'Keyboard receiver', '');
    await page.goto(account.url);
    const transfer = await actionForm(page, 'Transfer');
    await hydrated(transfer);
    await tabTo(page, transfer.getByLabel('To account number'));
    await page.keyboard.type(receiver.accountNumber);
    await page.keyboard.press('Tab');
    await expectFocused(transfer.getByLabel('Transfer amount'));
    await page.keyboard.type('20');
    await page.keyboard.press('Enter');
    const review = transfer.getByTestId('transfer-review');
    await expect(review).toContainText(`Send $20.00 to ${maskName(customer.name)}`);
    await expectFocused(review);
    await page.keyboard.press('Tab');
    await expectFocused(transfer.getByRole('button', { name: 'Confirm transfer' }));
    await page.keyboard.press('Enter');
    await expect(transfer.getByRole('status')).toHaveText(
      `Sent $20.00 to ${maskName(customer.name)} · new balance $180.00`,
    );
    await expectFocused(transfer.locator('#transfer-status'));
  });
});

test.describe('the landing page', () => {
  test.use({ signedIn: false });
  test('says what this bank does, that the money is pretend, and leads to "Create account" and "Sign in"', async ({
    page,
  }) => {
    await page.goto('/');
    const heading = page.getByRole('heading', { level: 1 });
    await expect(heading).toHaveCount(1);
    await expect(heading).not.toHaveText(/^\s*Idem\s*$/);
    await expect(heading).toHaveText(/\w+ \w+ \w+/); // a sentence, not a name
    await expect(page.getByRole('main')).toContainText(/deposit/i);
    await expect(page.getByRole('main')).toContainText(/account number/i);
    await expect(page.getByRole('note')).toContainText(/pretend/i);
    const main = page.getByRole('main');
    await expect(main.getByRole('link', { name: 'Create account' })).toHaveAttribute('href', '/sign-up');
    await expect(main.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
    await main.getByRole('link', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/sign-up$/);
  });
});

test.describe('at 360 px', () => {
  test.use({ viewport: { width: 360, height: 740 } });
  test('the settings tables fit: API keys with their Revoke buttons on screen, no sideways scrolling', async ({
    page,
  }) => {
    await page.goto('/settings/api-keys');
    for (const name of ['laptop', 'a key with a long name, to see it wrap']) {
      await page.getByLabel('Key name').fill(name);
      await page.getByRole('button', { name: 'Create API key' }).click();
      await expect(page.getByTestId('api-key-row').filter({ hasText: name })).toBeVisible();
    }
    await page.goto('/settings/api-keys');
    await expect(page.getByRole('button', { name: /^Revoke/ })).toHaveCount(2);
    expect(await expectTablesFit(page, '/settings/api-keys at 360 px')).toBe(1);
    await page.goto('/settings');
    await expectTablesFit(page, '/settings at 360 px');
  });
});

test('the total across accounts on / sums every account, formatted as money', async ({ page, account }) => {
  await page.goto('/');
  const total = page.getByTestId('accounts-total');
  await expect(total).toContainText('Total across your account');
  await expect(total.locator('strong')).toHaveText('$200.00');
  await openAccount(page, 'Savings', '1234.56');
  await openAccount(page, 'Coins', '0.09');
  await page.goto('/');
  await expect(page.getByTestId('account-row')).toHaveCount(3);
  await expect(total).toContainText('Total across your 3 accounts');
  await expect(total.locator('strong')).toHaveText('$1,434.65');
  await page.goto(account.url);
  const withdrawal = await actionForm(page, 'Withdraw');
  await withdrawal.getByLabel('Withdrawal amount').fill('200');
  await withdrawal.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdrawal.getByRole('status')).toContainText('Withdrew $200.00');
  await page.goto('/');
  await expect(total.locator('strong')).toHaveText('$1,234.65');
});

test('the account page: balance first, number with a copy button, no id or version anywhere', async ({
  page,
  account,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await expect(page).toHaveTitle(`${account.owner} · Idem`);
  await expect(page.getByTestId('account-opened')).toHaveText(
    `Opened “${account.owner}” with $200.00 · account number ${account.accountNumber.replace(/(\d{4})(?=\d)/g, '$1 ')}`,
  );
  // Ids and versions are the admin console's business, not a customer's.
  const main = page.locator('main');
  await expect(main).not.toContainText(account.id, { useInnerText: true });
  await expect(main).not.toContainText(/version/i, { useInnerText: true });
  await expect(page.locator('summary', { hasText: 'Details' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Copy account number' }).click();
  await expect(page.getByRole('button', { name: 'Copy account number' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(account.accountNumber);

  // Each action's "Amount" has a name of its own, and its live region is there, rendered (not
  // display: none), before anything is said in it.
  for (const [kind, name] of [
    ['Deposit', 'Deposit amount'],
    ['Withdraw', 'Withdrawal amount'],
    ['Transfer', 'Transfer amount'],
  ] as const) {
    const form = await actionForm(page, kind);
    const field = form.getByRole('textbox', { name, exact: true });
    await expect(field).toHaveCount(1);
    await expect(form.locator(`label[for="${await field.getAttribute('id')}"]`)).toHaveText('Amount');
    const region = form.locator('[aria-live]');
    await expect(region).toHaveCount(1);
    await expect(region).toBeEmpty();
    await expect(region).toHaveCSS('display', 'block');
  }
  await page.keyboard.press('Escape');
  await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute('href', /icon/);
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', /apple-icon/);
  const favicon = await page.request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toMatch(/icon/);
});

test('feedback: a new submission clears the old message, confirmations say what happened, the new row is highlighted', async ({
  page,
}) => {
  await openAccount(page, 'Feedback', '1,250.00');
  const opening = page.getByTestId('transaction').first();
  await expect(opening).toContainText('Opening deposit');
  await expect(opening).toHaveAttribute('data-new', 'true');
  // Money in and out is told apart by words and sign, not by colour alone.
  await expect(opening.locator('.money')).toHaveText('in +$1,250.00');

  const withdraw = await actionForm(page, 'Withdraw');
  await hydrated(withdraw);
  await withdraw.getByLabel('Withdrawal amount').fill('40');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $40.00 · new balance $1,210.00');
  await expect(page.getByTestId('account-opened')).toHaveCount(0);
  const newest = page.getByTestId('transaction').first();
  await expect(newest).toContainText('Withdrawal');
  await expect(newest).toHaveAttribute('data-new', 'true');
  await expect(newest).toContainText('New');
  await expect(newest.locator('.money')).toHaveText('out −$40.00');
  await expect(page.getByTestId('transaction').nth(1)).not.toHaveAttribute('data-new', 'true');

  // The browser refuses the next amount: the old confirmation goes, the field error stays alone.
  await withdraw.getByLabel('Withdrawal amount').fill('-1');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('alert')).toHaveText(/cannot be negative/);
  await expect(withdraw.getByTestId('form-success')).toHaveCount(0);

  // A submission in another form clears this one's message too.
  await withdraw.getByLabel('Withdrawal amount').fill('10');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  await expect(withdraw.getByRole('status')).toHaveText('Withdrew $10.00 · new balance $1,200.00');
  const deposit = await actionForm(page, 'Deposit');
  await deposit.getByLabel('Deposit amount').fill('5');
  await deposit.getByRole('button', { name: 'Deposit' }).click();
  await expect(deposit.getByRole('status')).toHaveText('Deposited $5.00 · new balance $1,205.00');
  await expect(page.getByTestId('form-success')).toHaveCount(1);
});

/**
 * Watches the page from now on and records, at the moment a confirmation first appears, what the
 * hero balance and the newest history row said then (a MutationObserver sees each DOM change
 * before the browser paints it, so this is what a reader could have seen).
 */
async function watchConfirmation(page: Page, message: string) {
  await page.evaluate((message) => {
    const w = window as unknown as {
      seen?: { message: string; balance: string; row: string; rowIsNew: boolean } | null;
    };
    w.seen = null;
    const observer = new MutationObserver(() => {
      const status = [...document.querySelectorAll('[data-testid="form-success"]')].find(
        (e) => e.textContent === message,
      );
      if (!status || w.seen) return;
      const row = document.querySelector('[data-testid="transaction"]');
      w.seen = {
        message: status.textContent ?? '',
        balance: document.querySelector('[data-testid="balance"]')?.textContent ?? '',
        row: row?.textContent ?? '',
        rowIsNew: row?.getAttribute('data-new') === 'true',
      };
      observer.disconnect();
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  }, message);
  return async () => {
    await expect(page.getByTestId('form-success').filter({ hasText: message })).toBeVisible();
    return page.evaluate(
      () => (window as unknown as { seen: { message: string; balance: string; row: string; rowIsNew: boolean } }).seen,
    );
  };
}

test('with JavaScript, the confirmation appears together with the new balance and the highlighted new row, never before', async ({
  page,
  customer,
}) => {
  const receiver = await openAccount(page, 'Together receiver', '');
  await openAccount(page, 'Together', '1,250.00');
  await settled(page);

  const withdraw = await actionForm(page, 'Withdraw');
  let seen = await watchConfirmation(page, 'Withdrew $40.00 · new balance $1,210.00');
  await withdraw.getByLabel('Withdrawal amount').fill('40');
  await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  expect(await seen()).toEqual({
    message: 'Withdrew $40.00 · new balance $1,210.00',
    balance: '$1,210.00',
    row: expect.stringContaining('Withdrawal'),
    rowIsNew: true,
  });

  const deposit = await actionForm(page, 'Deposit');
  seen = await watchConfirmation(page, 'Deposited $10.00 · new balance $1,220.00');
  await deposit.getByLabel('Deposit amount').fill('10');
  await deposit.getByRole('button', { name: 'Deposit' }).click();
  expect(await seen()).toEqual({
    message: 'Deposited $10.00 · new balance $1,220.00',
    balance: '$1,220.00',
    row: expect.stringContaining('Deposit'),
    rowIsNew: true,
  });

  const transfer = await actionForm(page, 'Transfer');
  await transfer.getByLabel('To account number').fill(receiver.accountNumber);
  await transfer.getByLabel('Transfer amount').fill('30');
  await transfer.getByRole('button', { name: 'Review transfer' }).click();
  await expect(transfer.getByTestId('transfer-review')).toBeVisible();
  seen = await watchConfirmation(page, `Sent $30.00 to ${maskName(customer.name)} · new balance $1,190.00`);
  await transfer.getByRole('button', { name: 'Confirm transfer' }).click();
  expect(await seen()).toEqual({
    message: `Sent $30.00 to ${maskName(customer.name)} · new balance $1,190.00`,
    balance: '$1,190.00',
    row: expect.stringContaining('Transfer to Together receiver'),
    rowIsNew: true,
  });
});

test.describe('in the viewer’s time zone', () => {
  const timeZone = 'Pacific/Kiritimati'; // UTC+14: never the server's zone
  test.use({ timezoneId: timeZone });

  test('history times and "Last activity" are local, with UTC in the tooltip', async ({ page, account }) => {
    const row = page.getByTestId('transaction').first();
    const time = row.getByRole('time');
    await expect(time).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    const iso = (await time.getAttribute('datetime'))!;
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(iso));
    await expect(time).toHaveText(local);
    await expect(page.locator('.day-heading').first()).toHaveText(/^(Today|Yesterday)$/);

    await page.goto('/');
    const activity = page.getByTestId('account-row').filter({ hasText: account.owner }).getByRole('time');
    await expect(activity).toHaveText(/^(Today|Yesterday), \d{2}:\d{2}$/);
    await expect(activity).toHaveAttribute('title', /UTC$/);
  });
});

test('the history pages by version, filters by kind and masks other customers’ names', async ({
  page,
  account,
  browser,
  baseURL,
}) => {
  // 24 deposits through the JSON API (the page's session works there too), then one withdrawal.
  for (let i = 1; i <= 24; i++) {
    const response = await page.request.post(`/api/accounts/${account.id}/deposits`, {
      data: { amount: '1.00' },
      headers: { 'idempotency-key': `paging-${account.id}-${i}`, origin: baseURL! },
    });
    expect(response.status()).toBe(201);
  }
  const bob = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  const bobPage = await bob.newPage();
  await signUp(bob, baseURL!, 'Bob Stranger');
  await openAccount(bobPage, 'Bob pays', '50.00');
  const bobForm = await actionForm(bobPage, 'Transfer');
  await hydrated(bobForm);
  await bobForm.getByLabel('To account number').fill(account.accountNumber);
  await bobForm.getByLabel('Transfer amount').fill('3.00');
  await bobForm.getByRole('button', { name: 'Review transfer' }).click();
  await bobForm.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(bobForm.getByRole('status')).toBeVisible();
  await bob.close();

  await page.goto(account.url);
  const rows = page.getByTestId('transaction');
  await expect(rows).toHaveCount(20);
  await expect(rows.first()).toHaveText(/Transfer from B\. S\*{7}/); // masked, and not a link
  await expect(rows.first().getByRole('link')).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText('Bob pays');
  await page.getByRole('link', { name: 'Older transactions' }).click();
  await expect(page).toHaveURL(/before=\d+/);
  await expect(rows).toHaveCount(6); // 26 movements: the opening deposit, 24 deposits, the transfer
  await expect(rows.last()).toContainText('Opening deposit');
  await expect(page.getByRole('link', { name: 'Older transactions' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Newest' }).click();
  await expect(rows).toHaveCount(20);

  await page.getByRole('link', { name: 'Transfers' }).click();
  await expect(page).toHaveURL(/kind=transfers/);
  await expect(page.getByRole('link', { name: 'Transfers' })).toHaveAttribute('aria-current', 'page');
  await expect(rows).toHaveCount(1);
  await page.getByRole('link', { name: 'Withdrawals' }).click();
  await expect(page.getByText('No withdrawals yet.')).toBeVisible();
  await page.getByRole('link', { name: 'Deposits' }).click();
  await expect(rows).toHaveCount(20);
  await expect(rows.filter({ hasText: 'Transfer' })).toHaveCount(0);
});

test.describe('the checks themselves', () => {
  test.use({ signedIn: false, viewport: { width: 360, height: 740 } });
  test('a planted unlabelled field and a planted wide block are caught', async ({ page }) => {
    await page.goto('/sign-in');
    // Planted only once React has hydrated: a node planted before is an extra node to hydration,
    // which then renders the tree again and takes the planted node with it.
    await hydrated(page.getByRole('form', { name: 'Sign in' }));
    await page.evaluate(() => document.querySelector('main')!.append(document.createElement('input')));
    await expect(checkPage(page, 'planted unlabelled input')).rejects.toThrow(/label/);
    await page.evaluate(() => {
      const wide = Object.assign(document.createElement('div'), { textContent: 'wide' });
      wide.style.width = '500px';
      document.querySelector('main')!.append(wide);
    });
    await expect(checkPage(page, 'planted wide block')).rejects.toThrow(/wide in a 360px window/);
  });
});
