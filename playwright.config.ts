import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { credentialsUrl, readCredentials } from './lib/db/embedded-credentials';

// The suite serves the production build (`npm run build` first; `npm test` does) on a fresh
// embedded PostgreSQL at a fixed port, so tests can check the database directly. Pages are opened
// at http://localhost:<port>, not 127.0.0.1: passkeys need a domain name (see docs/identity.md).
const port = Number(process.env.E2E_PORT ?? 3107);
const pgPort = Number(process.env.E2E_PG_PORT ?? 55433);
const dataDir = process.env.E2E_DATA_DIR ?? '.data/e2e';
// The local mail catcher `npm start` runs for the suite (SMTP_URL unset); tests read it over its REST API.
const mailSmtpPort = Number(process.env.IDEM_MAIL_SMTP_PORT ?? 1025);
const mailWebPort = Number(process.env.IDEM_MAIL_WEB_PORT ?? 1080);
/** The catcher's REST API (maildev 3: `GET /api/email` lists every message it received). */
export const e2eInbox = `http://127.0.0.1:${mailWebPort}`;

/**
 * The database the tests check directly, as the application's role. The embedded server's passwords
 * are made when the web server starts on a fresh data directory, so they are read then, not here.
 */
export function e2eDatabaseUrl(): string {
  if (process.env.E2E_DATABASE_URL) return process.env.E2E_DATABASE_URL;
  const credentials = readCredentials(path.resolve(dataDir, 'postgres'));
  if (!credentials)
    throw new Error(
      `no embedded database credentials in ${path.resolve(dataDir, 'postgres')} (has the web server started?)`,
    );
  return credentialsUrl(credentials.app, pgPort, 'idem');
}

// The admin the suite signs in as (e2e/admin-auth.ts): `npm start` on the embedded database creates
// it with this password instead of a one-time one.
/** The app's origin in the browser tests: API calls made with a page's session cookie must send it (docs/security.md). */
export const e2eOrigin = `http://localhost:${port}`;

export const e2eAdmin = { email: 'e2e-admin@example.test', password: 'e2e admin password, not secret' };

// Playwright cannot download its browser here; Debian's chromium works (see docs/decisions/007-playwright-with-debian-chromium.md).
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: e2eOrigin,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    command: 'npx tsx scripts/start.ts --no-build',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    env: {
      PORT: String(port),
      // Containers set HOSTNAME to their own name; `npm start` binds to IDEM_HOST (default 127.0.0.1)
      // regardless. A name that resolves nowhere: were it used, no page would load.
      HOSTNAME: 'idem-e2e-container.invalid',
      IDEM_DATA_DIR: dataDir,
      IDEM_FRESH_DATA: '1',
      IDEM_PG_PORT: String(pgPort),
      IDEM_MAIL_SMTP_PORT: String(mailSmtpPort),
      IDEM_MAIL_WEB_PORT: String(mailWebPort),
      ADMIN_EMAIL: e2eAdmin.email,
      ADMIN_PASSWORD: e2eAdmin.password,
      BETTER_AUTH_SECRET: 'e2e-better-auth-secret-0123456789abcdef0123456789',
      BETTER_AUTH_URL: `http://localhost:${port}`,
      IDEM_TRUSTED_ORIGINS: `http://127.0.0.1:${port}`,
      // Each browser context plays a client of its own through X-Forwarded-For (e2e/fixtures.ts): the
      // test runner is the proxy here.
      TRUSTED_PROXIES: '127.0.0.1,::1',
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
    },
  },
});
