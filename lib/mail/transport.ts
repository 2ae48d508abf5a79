import 'server-only';
import nodemailer, { type Transporter } from 'nodemailer';
import { mailSettings } from '@/lib/mail/settings';
import { errorFields, log } from '@/lib/observability/log';
import { singleton } from '@/lib/singleton';

// Sends over SMTP (nodemailer): to SMTP_URL, or to the local catcher when it is unset. One
// transport per process, made on first use (never at import: `next build` sends nothing).

export type Mail = { to: string; subject: string; text: string };

function transport(): { transporter: Transporter; from: string } {
  return singleton('idem.mail', () => {
    const settings = mailSettings();
    // The catcher speaks plain SMTP on 127.0.0.1; a real server gets nodemailer's usual STARTTLS upgrade.
    const transporter = settings.catcher
      ? nodemailer.createTransport({
          host: '127.0.0.1',
          port: settings.catcher.smtpPort,
          secure: false,
          ignoreTLS: true,
        })
      : nodemailer.createTransport(settings.smtpUrl);
    return { transporter, from: settings.from };
  });
}

/** Sends one mail; rejects when the server refuses it or cannot be reached. */
export async function sendMail(mail: Mail): Promise<void> {
  const { transporter, from } = transport();
  await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
}

/**
 * Sends without making the caller wait or fail: a mail that cannot be sent is logged (never with its
 * body: links in it sign people in). Callers `void` the promise; tests may await it.
 */
export async function deliver(mail: Mail, what: string): Promise<void> {
  try {
    await sendMail(mail);
    log().info({ mail: what }, 'mail sent');
  } catch (error) {
    log().error({ mail: what, ...errorFields(error) }, 'mail could not be sent');
  }
}
