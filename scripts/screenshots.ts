// `npm run screenshots`: PNGs of the main pages, desktop (1280×800) and phone (390×844), into
// docs/screenshots/ (the README shows them). It starts its own server on a fresh embedded database
// (`scripts/start.ts`, which reuses an up-to-date production build), fills it through the pages and
// the API like a customer would (sign up, open accounts, a double-clicked withdrawal, a transfer),
// then signs in as the admin for the event log. Chromium: /usr/bin/chromium or CHROMIUM_PATH.
//
// Env: SCREENSHOTS_PORT, SCREENSHOTS_PG_PORT, SCREENSHOTS_MAIL_SMTP_PORT, SCREENSHOTS_MAIL_WEB_PORT (free ports by default);
//      SCREENSHOTS_URL=http://host:port to shoot a server that is already running instead
//      (then ADMIN_EMAIL / ADMIN_PASSWORD for the admin pages; without them those are skipped, and
//      its mail catcher's inbox on IDEM_MAIL_WEB_PORT, default 1080: customers follow their verification link).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { freePort } from '../lib/db/embedded-postgres';

const OUT = 'docs/screenshots';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const log = (line: string) => console.log(`[screenshots] ${line}`);

type Server = {
  url: string;
  inbox: string;
  admin: { email: string; password: string } | null;
  stop: () => Promise<void>;
};

async function startServer(): Promise<Server> {
  const port = Number(process.env.SCREENSHOTS_PORT ?? (await freePort()));
  const pgPort = Number(process.env.SCREENSHOTS_PG_PORT ?? (await freePort()));
  const mailSmtpPort = Number(process.env.SCREENSHOTS_MAIL_SMTP_PORT ?? (await freePort()));
  const mailWebPort = Number(process.env.SCREENSHOTS_MAIL_WEB_PORT ?? (await freePort()));
  // Under .data/ (the embedded server's user must reach it; a private temp dir would not do as root).
  const dataDir = path.resolve('.data/screenshots');
  const admin = { email: 'ops@example.test', password: randomBytes(12).toString('base64url') };
  const url = `http://localhost:${port}`;
  // tsx itself (not npx, which would not pass the stop signal on): start.ts stops Next, then PostgreSQL.
  const child: ChildProcess = spawn(path.resolve('node_modules/.bin/tsx'), ['scripts/start.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      IDEM_PG_PORT: String(pgPort),
      IDEM_MAIL_SMTP_PORT: String(mailSmtpPort),
      IDEM_MAIL_WEB_PORT: String(mailWebPort),
      IDEM_DATA_DIR: dataDir,
      IDEM_FRESH_DATA: '1',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      BETTER_AUTH_URL: url,
      TRUSTED_PROXIES: '127.0.0.1,::1', // the pages are shot as clients of their own (X-Forwarded-For)
      LOG_LEVEL: 'warn',
    },
  });
  // Its output is shown only if it fails to start (PostgreSQL's initdb alone prints a page).
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  log(`starting the app on ${url} (builds first if the sources changed)…`);
  for (let waited = 0; ; waited += 1) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode}:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/api/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (waited > 600) throw new Error('the app did not become ready within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return {
    url,
    inbox: `http://127.0.0.1:${mailWebPort}`,
    admin,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function existingServer(url: string): Server {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = process.env;
  const inbox = `http://127.0.0.1:${process.env.IDEM_MAIL_WEB_PORT ?? 1080}`;
  return { url, inbox, admin: email && password ? { email, password } : null, stop: async () => {} };
}

async function newContext(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number },
): Promise<BrowserContext> {
  // Sign-in and sign-up are rate limited per client address: each context is a client of its own.
  const address = `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0]! % 250)}`;
  return browser.newContext({
    baseURL,
    viewport,
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    reducedMotion: 'reduce',
    extraHTTPHeaders: { 'x-forwarded-for': address },
  });
}

/** Signs up, then follows the verification link from the mail catcher, which signs `context` in. */
async function signUp(context: BrowserContext, server: Server, name: string, email: string, password: string) {
  const response = await context.request.post('/api/auth/sign-up/email', {
    data: { name, email, password },
    headers: { origin: server.url },
  });
  if (!response.ok()) throw new Error(`sign-up of ${email} failed: HTTP ${response.status()} ${await response.text()}`);
  for (;;) {
    const messages = (await (await fetch(`${server.inbox}/api/email`)).json()) as {
      to: { address: string }[];
      text: string;
    }[];
    const link = messages
      .find((m) => m.to.some((t) => t.address === email))
      ?.text.match(/https?:\/\/\S+\/verify-email\?\S+/)?.[0];
    if (link) {
      const verified = await context.request.get(link);
      if (!verified.ok()) throw new Error(`the verification link of ${email} failed: HTTP ${verified.status()}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function hydrated(page: Page, form: string) {
  await page.locator(`form[aria-label="${form}"][data-hydrated="true"]`).waitFor();
}

/** Opens an action of the account page (a button, then its form in a dialog) and returns the form. */
async function actionForm(page: Page, kind: 'Deposit' | 'Withdraw' | 'Transfer') {
  await page.getByRole('group', { name: 'Account actions' }).getByRole('button', { name: kind, exact: true }).click();
  await hydrated(page, kind);
  return page.getByRole('form', { name: kind });
}

async function openAccount(page: Page, name: string, deposit: string): Promise<{ url: string; number: string }> {
  await page.goto('/');
  await hydrated(page, 'Open account');
  await page.getByLabel('Account name').fill(name);
  await page.getByLabel('Opening deposit').fill(deposit);
  await page.getByRole('button', { name: 'Open account' }).click();
  await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
  const number = (await page.getByTestId('account-number').textContent())!.replace(/\s/g, '');
  return { url: new URL(page.url()).pathname, number };
}

async function shoot(page: Page, name: string) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  log(`wrote ${file}`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const server = process.env.SCREENSHOTS_URL ? existingServer(process.env.SCREENSHOTS_URL) : await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const suffix = randomBytes(3).toString('hex');
    const ada = {
      name: 'Ada Lovelace',
      email: `ada-${suffix}@example.test`,
      password: randomBytes(12).toString('base64url'),
    };

    // Someone to send money to.
    const other = await newContext(browser, server.url, DESKTOP);
    await signUp(other, server, 'Grace Hopper', `grace-${suffix}@example.test`, randomBytes(12).toString('base64url'));
    const grace = await openAccount(await other.newPage(), 'Grace main', '20.00');
    await other.close();

    const desktop = await newContext(browser, server.url, DESKTOP);
    const page = await desktop.newPage();
    await signUp(desktop, server, ada.name, ada.email, ada.password);
    const savings = await openAccount(page, 'Savings', '5,000.00');
    const everyday = await openAccount(page, 'Everyday', '1,250.00');
    const deposit = await actionForm(page, 'Deposit');
    await deposit.getByLabel('Deposit amount').fill('320.00');
    await deposit.getByRole('button', { name: 'Deposit', exact: true }).click();
    await deposit.getByTestId('form-success').waitFor();
    await page.keyboard.press('Escape');
    const transfer = await actionForm(page, 'Transfer');
    await transfer.getByLabel('To account number').fill(grace.number);
    await transfer.getByLabel('Transfer amount').fill('30.00');
    await transfer.getByRole('button', { name: 'Review transfer' }).click();
    await transfer.getByRole('button', { name: 'Confirm transfer' }).click();
    await transfer.getByTestId('form-success').waitFor();
    await page.keyboard.press('Escape');
    // The tour's API retry: one request sent twice with one key (the dashboard counts the duplicate).
    for (let i = 0; i < 2; i++) {
      const response = await page.request.post(`/api/accounts/${savings.url.split('/').pop()}/deposits`, {
        data: { amount: '10.00' },
        headers: { 'idempotency-key': 'tour-1', origin: server.url }, // a cookie-signed request must say where it comes from
      });
      if (response.status() !== 201)
        throw new Error(`the API deposit answered ${response.status()}: ${await response.text()}`);
    }
    // The double click the tour talks about: one withdrawal, one event.
    const withdraw = await actionForm(page, 'Withdraw');
    await withdraw.getByLabel('Withdrawal amount').fill('40.00');
    await withdraw.getByRole('button', { name: 'Withdraw', exact: true }).dblclick();
    await withdraw.getByTestId('form-success').waitFor();
    await shoot(page, 'withdraw-dialog-desktop');
    await page.keyboard.press('Escape');
    // The answer can arrive a moment before the refreshed balance and history: wait for the new row.
    await page.locator('[data-testid="transaction"][data-new]', { hasText: 'Withdrawal' }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, 'account-desktop');
    await page.goto('/');
    await shoot(page, 'accounts-desktop');

    const phone = await newContext(browser, server.url, PHONE);
    await phone.addCookies(await desktop.cookies());
    const phonePage = await phone.newPage();
    await phonePage.goto(everyday.url);
    await phonePage.getByRole('group', { name: 'Account actions' }).waitFor();
    await shoot(phonePage, 'account-phone');
    const phoneDeposit = await actionForm(phonePage, 'Deposit');
    await phoneDeposit.getByLabel('Deposit amount').fill('25.00');
    await shoot(phonePage, 'deposit-dialog-phone');
    await phonePage.keyboard.press('Escape');
    const phoneTransfer = await actionForm(phonePage, 'Transfer');
    await phoneTransfer.getByLabel('To account number').fill(grace.number);
    await phoneTransfer.getByLabel('Transfer amount').fill('12.00');
    await phoneTransfer.getByRole('button', { name: 'Review transfer' }).click();
    await phoneTransfer.getByTestId('transfer-review').waitFor();
    await shoot(phonePage, 'transfer-review-phone');
    await phonePage.goto('/');
    await shoot(phonePage, 'accounts-phone');
    await phone.close();

    const visitor = await newContext(browser, server.url, PHONE);
    const visitorPage = await visitor.newPage();
    await visitorPage.goto('/');
    await shoot(visitorPage, 'landing-phone');
    await visitorPage.goto('/sign-in');
    await shoot(visitorPage, 'sign-in-phone');
    await visitor.close();
    const desktopVisitor = await newContext(browser, server.url, DESKTOP);
    const desktopVisitorPage = await desktopVisitor.newPage();
    await desktopVisitorPage.goto('/');
    await shoot(desktopVisitorPage, 'landing-desktop');
    await desktopVisitor.close();

    if (server.admin) {
      const ops = await newContext(browser, server.url, DESKTOP);
      const opsPage = await ops.newPage();
      const accountId = everyday.url.split('/').pop()!;
      // One withdrawal, double-clicked: one event.
      await opsPage.goto(
        `/sign-in?next=${encodeURIComponent(`/admin/events?stream=account-${accountId}&type=MoneyWithdrawn`)}`,
      );
      await opsPage.getByLabel('Email').fill(server.admin.email);
      await opsPage.getByLabel('Password').fill(server.admin.password);
      await opsPage.getByRole('button', { name: 'Sign in' }).click();
      await opsPage.waitForURL(/\/admin\/events/);
      await shoot(opsPage, 'admin-events-desktop');
      await opsPage.goto('/admin');
      await shoot(opsPage, 'admin-dashboard-desktop');
      await ops.close();
    } else {
      log('no admin credentials: skipping the admin pages');
    }
    await desktop.close();
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[screenshots] failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
