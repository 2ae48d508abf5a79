// A restart of `npm start` on the embedded database keeps everyone signed in: the generated
// BETTER_AUTH_SECRET is kept with the data (lib/auth/kept-secret.ts), so a session cookie signed
// before the restart is still good after it. Uses the production build in .next (--no-build).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../lib/db/embedded-postgres';

async function start(env: Record<string, string>, port: number) {
  const child = spawn(path.resolve('node_modules/.bin/tsx'), ['scripts/start.ts', '--no-build'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await expect
    .poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health/ready`).catch(() => null))?.status, {
      timeout: 180_000,
      interval: 250,
    })
    .toBe(200);
  return {
    stop: async () => {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

it('a session cookie from before a restart still signs its customer in after it', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'idem-restart-'));
  chmodSync(dataDir, 0o755); // the `postgres` system user (embedded PostgreSQL run as root) must enter it
  const [port, pgPort] = [await freePort(), await freePort()];
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  // The admin npm start creates (verified, so it may sign in at once; a customer would first follow a mailed link).
  const admin = { email: `restart-${Date.now()}@example.test`, password: 'long enough password' };
  const env = {
    PORT: String(port),
    IDEM_PG_PORT: String(pgPort),
    IDEM_DATA_DIR: dataDir,
    IDEM_MAIL_SMTP_PORT: String(smtpPort),
    IDEM_MAIL_WEB_PORT: String(webPort),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
  };
  const origin = `http://localhost:${port}`;
  // Signed in: /settings answers 200; signed out it redirects to the sign-in page.
  const accounts = (cookie: string) =>
    fetch(`http://127.0.0.1:${port}/settings`, { headers: { cookie }, redirect: 'manual' }).then((r) =>
      r.status === 200 ? 200 : 401,
    );
  let server = await start({ ...env, IDEM_FRESH_DATA: '1' }, port);
  try {
    const signIn = await fetch(`http://127.0.0.1:${port}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify(admin),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(await accounts(cookie)).toBe(200);
    expect(await accounts('idem.session_token=forged.value')).toBe(401); // the check can fail

    await server.stop();
    server = await start(env, port);
    expect(await accounts(cookie)).toBe(200);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 420_000);
