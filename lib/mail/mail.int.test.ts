import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auth } from '@/lib/auth/auth';
import { db } from '@/lib/db/prisma';
import { freePort } from '@/lib/db/embedded-postgres';
import { startMailCatcher, type MailCatcher } from '@/lib/mail/catcher';
import { LARGE_TRANSFER_CENTS, notifyLargeTransfer } from '@/lib/mail/large-transfer';
import { notifyCustomer } from '@/lib/mail/notify';
import { deliver, sendMail } from '@/lib/mail/transport';
import { freshDatabase } from '@/test/db';
import { apiCustomer } from '@/test/in-process-api';
import { post, TEST_ORIGIN, testAuthEnv, uniqueEmail } from '@/test/auth';

// Mail end to end against a real maildev this file starts: what better-auth and the notices send
// arrives over SMTP and is read back through the catcher's REST API (`GET /api/email`), and the
// links in it do what they say.

type Caught = { subject: string; text: string; from: { address: string; name: string }[]; to: { address: string }[] };

let catcher: MailCatcher;
let mailDir: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  mailDir = mkdtempSync(path.join(tmpdir(), 'idem-mail-'));
  catcher = await startMailCatcher({ smtpPort: await freePort(), webPort: await freePort(), mailDir });
  const fresh = await freshDatabase();
  // SMTP_URL unset: the app sends to the catcher on IDEM_MAIL_SMTP_PORT (lib/mail/settings.ts).
  delete process.env.SMTP_URL;
  Object.assign(process.env, testAuthEnv, {
    DATABASE_URL: fresh.url,
    IDEM_MAIL_SMTP_PORT: String(catcher.smtpPort),
    IDEM_MAIL_WEB_PORT: String(catcher.webPort),
    MAIL_FROM: 'Idem Test <no-reply@bank.example>',
  });
  drop = fresh.drop;
});
afterAll(async () => {
  await catcher?.stop();
  await db().$disconnect();
  await drop();
  rmSync(mailDir, { recursive: true, force: true });
});

async function inbox(): Promise<Caught[]> {
  const response = await fetch(`${catcher.inboxUrl}api/email`);
  expect(response.status).toBe(200);
  return (await response.json()) as Caught[];
}

const to = (address: string) => async () => (await inbox()).filter((m) => m.to.some((t) => t.address === address));

/** Waits for the mail to `address` whose subject matches. */
async function mailTo(address: string, subject: RegExp): Promise<Caught> {
  return vi.waitFor(
    async () => {
      const found = (await to(address)()).find((m) => subject.test(m.subject));
      if (!found) throw new Error(`no mail to ${address} matching ${subject}`);
      return found;
    },
    { timeout: 30_000, interval: 100 },
  );
}

const link = (mail: Caught, pattern: RegExp) => {
  const found = mail.text.match(pattern)?.[0];
  if (!found) throw new Error(`no link matching ${pattern} in: ${mail.text}`);
  return found;
};

const getAuth = (url: string, headers: Record<string, string> = {}) =>
  auth().handler(new Request(url, { headers: { 'x-forwarded-for': '198.51.100.9', ...headers } }));

describe('mail through maildev', () => {
  it('sendMail delivers over SMTP with MAIL_FROM; the catcher lists it', async () => {
    const address = uniqueEmail('plain');
    await sendMail({ to: address, subject: 'Hello from the test', text: 'Body line' });
    const [mail] = await to(address)();
    expect(mail).toMatchObject({
      subject: 'Hello from the test',
      from: [{ address: 'no-reply@bank.example', name: 'Idem Test' }],
    });
    expect(mail!.text.trim()).toBe('Body line');
  });

  it('sign-up mails a link; before it, sign-in is refused as unverified; the link signs in and lands on /', async () => {
    const email = uniqueEmail('verify');
    const password = 'correct horse battery';
    const signedUp = await post(auth(), '/sign-up/email', { name: 'Vera Fied', email, password });
    expect(signedUp.status).toBe(200);
    expect(signedUp.headers.getSetCookie().some((c) => c.startsWith('idem.session_token='))).toBe(false); // not signed in yet

    const early = await post(auth(), '/sign-in/email', { email, password });
    expect(early.status).toBe(403);
    expect(((await early.json()) as { code: string }).code).toBe('EMAIL_NOT_VERIFIED');

    const mail = await mailTo(email, /^Confirm your email/);
    expect(mail.text).toContain('Hello Vera Fied,');
    const url = link(mail, /http:\/\/localhost:3000\/api\/auth\/verify-email\?\S+/);
    const followed = await getAuth(url);
    expect(followed.status).toBe(302);
    expect(followed.headers.get('location')).toBe('/');
    const cookie = followed.headers
      .getSetCookie()
      .find((c) => c.startsWith('idem.session_token='))!
      .split(';')[0]!;
    const session = await auth().api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user.email).toBe(email);
    expect(session?.user.emailVerified).toBe(true);
    expect((await post(auth(), '/sign-in/email', { email, password })).status).toBe(200);
  });

  it('sign-up with an existing email answers like a new one; the owner gets "someone tried", no second account', async () => {
    const email = uniqueEmail('taken');
    const first = await post(auth(), '/sign-up/email', { name: 'First Owner', email, password: 'first password!' });
    const again = await post(auth(), '/sign-up/email', { name: 'Someone Else', email, password: 'second password' });
    const fresh = await post(auth(), '/sign-up/email', {
      name: 'Someone Else',
      email: uniqueEmail('new'),
      password: 'second password',
    });
    expect([first.status, again.status, fresh.status]).toEqual([200, 200, 200]);
    const shape = async (r: Response) => {
      const body = (await r.json()) as { token: unknown; user: Record<string, unknown> };
      return { token: body.token, keys: Object.keys(body.user).sort(), emailVerified: body.user.emailVerified };
    };
    expect(await shape(again)).toEqual(await shape(fresh));
    const attempt = await mailTo(email, /^Someone tried to sign up/);
    expect(attempt.text).toContain('Hello First Owner,');
    expect(attempt.text).toContain(`${TEST_ORIGIN}/forgot-password`);
    expect(await db().user.count({ where: { email } })).toBe(1);
  });

  it('password reset: the mailed link opens /reset-password; the new password works, every session ends, a notice follows', async () => {
    const email = uniqueEmail('reset');
    const created = await post(auth(), '/sign-up/email', { name: 'Rita Set', email, password: 'old password 1' });
    const { user } = (await created.json()) as { user: { id: string } };
    await db().user.update({ where: { id: user.id }, data: { emailVerified: true } });
    const signedIn = await post(auth(), '/sign-in/email', { email, password: 'old password 1' });
    const cookie = signedIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('idem.session_token='))!
      .split(';')[0]!;

    const unknown = await post(auth(), '/request-password-reset', { email: uniqueEmail('nobody') });
    const known = await post(auth(), '/request-password-reset', { email });
    expect([unknown.status, known.status]).toEqual([200, 200]);
    expect(await known.json()).toEqual(await unknown.json()); // the same answer for both

    const mail = await mailTo(email, /^Choose a new password/);
    const url = new URL(link(mail, /http:\/\/localhost:3000\/reset-password\?token=\S+/));
    const token = url.searchParams.get('token')!;
    expect((await post(auth(), '/reset-password', { token, newPassword: 'new password 2' })).status).toBe(200);
    expect((await post(auth(), '/reset-password', { token, newPassword: 'new password 3' })).status).toBe(400); // once only

    expect(await auth().api.getSession({ headers: new Headers({ cookie }) })).toBeNull();
    expect((await post(auth(), '/sign-in/email', { email, password: 'old password 1' })).status).toBe(401);
    expect((await post(auth(), '/sign-in/email', { email, password: 'new password 2' })).status).toBe(200);
    expect((await mailTo(email, /password was reset/)).text).toContain('Every session was signed out.');
  });

  it('notices: a new API key, a changed password (other sessions end), a webhook endpoint added and disabled', async () => {
    const customer = await apiCustomer('Nora Tice');
    const { email } = (await db().user.findUniqueOrThrow({ where: { id: customer.id } }))!;
    expect((await mailTo(email, /^A new API key was created/)).text).toContain('“integration test”');

    const other = await post(auth(), '/sign-in/email', { email, password: 'correct horse battery' });
    const otherCookie = other.headers
      .getSetCookie()
      .find((c) => c.startsWith('idem.session_token='))!
      .split(';')[0]!;
    const changed = await post(
      auth(),
      '/change-password',
      { currentPassword: 'correct horse battery', newPassword: 'another horse battery', revokeOtherSessions: true },
      { cookie: customer.cookie },
    );
    expect(changed.status).toBe(200);
    expect(await auth().api.getSession({ headers: new Headers({ cookie: otherCookie }) })).toBeNull();
    expect((await mailTo(email, /password was changed/)).text).toContain('Your other sessions were signed out.');

    await notifyCustomer(customer.id, { kind: 'webhook-endpoint-added', url: 'https://hooks.example/idem' });
    await notifyCustomer(customer.id, {
      kind: 'webhook-endpoint-disabled',
      url: 'https://hooks.example/idem',
      reason: 'it answered 500 ten times',
    });
    expect((await mailTo(email, /webhook endpoint was added/)).text).toContain('https://hooks.example/idem');
    expect((await mailTo(email, /webhook endpoint was disabled/)).text).toContain('it answered 500 ten times');
  });

  it('a transfer of $1,000.00 or more mails the sender after it is recorded; less, or a replay, mails nothing', async () => {
    const sender = await apiCustomer('Tess Ferrer');
    const receiver = await apiCustomer('Rick Ever');
    const { email } = await db().user.findUniqueOrThrow({ where: { id: sender.id } });
    const from = await sender.open('5000.00', 'Savings');
    const target = await receiver.open('1.00');
    const small = await sender.transfer({ from: from.id, toAccountNumber: target.accountNumber, amount: '999.99' });
    expect(small.status).toBe(201);
    const key = 'large-transfer-once';
    expect(
      (await sender.transfer({ from: from.id, toAccountNumber: target.accountNumber, amount: '1000.00' }, key)).status,
    ).toBe(201);
    expect(
      (await sender.transfer({ from: from.id, toAccountNumber: target.accountNumber, amount: '1000.00' }, key))
        .replayed,
    ).toBe('true');

    const mail = await mailTo(email, /^You sent \$1,000\.00$/);
    expect(mail.text).toContain('left your account “Savings”');
    // Awaited directly, the notice for a smaller amount returns without sending anything.
    await notifyLargeTransfer({
      fromAccountId: from.id,
      toAccountNumber: target.accountNumber,
      amountCents: LARGE_TRANSFER_CENTS - 1,
    });
    const sent = (await to(email)()).filter((m) => m.subject.startsWith('You sent'));
    expect(sent.map((m) => m.subject)).toEqual(['You sent $1,000.00']);
  });

  // Last: it stops the catcher.
  it('with the mail server down, a large transfer still succeeds and sending only logs', async () => {
    const sender = await apiCustomer('Dora Down');
    const receiver = await apiCustomer('Otto Other');
    const from = await sender.open('3000.00');
    const target = await receiver.open('1.00');
    await catcher.stop();
    await expect(fetch(`${catcher.inboxUrl}api/email`)).rejects.toThrow();
    expect(
      (await sender.transfer({ from: from.id, toAccountNumber: target.accountNumber, amount: '2000.00' })).status,
    ).toBe(201);
    await expect(deliver({ to: uniqueEmail('lost'), subject: 'Lost', text: 'x' }, 'test')).resolves.toBeUndefined();
    await expect(
      notifyLargeTransfer({
        fromAccountId: from.id,
        toAccountNumber: target.accountNumber,
        amountCents: LARGE_TRANSFER_CENTS,
      }),
    ).resolves.toBeUndefined();
  });
});
