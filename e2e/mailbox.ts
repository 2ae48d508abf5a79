import { expect } from '@playwright/test';
import { e2eInbox } from '../playwright.config';

// The suite's mail, read where it really arrived: the maildev catcher `npm start` runs for the web
// server (SMTP_URL unset), through its REST API (`GET /api/email`). Addresses are unique per test.

export type Mail = { subject: string; text: string; to: { address: string }[] };

export async function mailsTo(address: string): Promise<Mail[]> {
  const response = await fetch(`${e2eInbox}/api/email`);
  expect(response.status).toBe(200);
  return ((await response.json()) as Mail[]).filter((m) => m.to.some((t) => t.address === address.toLowerCase()));
}

/** Waits for the mail to `address` whose subject matches, and returns it. */
export async function mailTo(address: string, subject: RegExp): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      async () => {
        found = (await mailsTo(address)).find((m) => subject.test(m.subject));
        return found !== undefined;
      },
      { message: `a mail to ${address} with a subject matching ${subject}` },
    )
    .toBe(true);
  return found!;
}

/** The link in `mail` whose path starts with `path` (e.g. `/api/auth/verify-email`, `/reset-password`). */
export function linkIn(mail: Mail, path: string): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const found = mail.text.match(new RegExp(`https?://[^\\s/]+${escaped}\\S*`))?.[0];
  if (!found) throw new Error(`no ${path} link in "${mail.subject}":\n${mail.text}`);
  return found;
}
