import { loadConfig, type Config } from '../config';

// Where mail goes (docs: mail). Not server-only: scripts/start.ts and scripts/cluster.ts read it to
// decide whether to run the local catcher. Without SMTP_URL every mail goes to that catcher
// (maildev, 127.0.0.1 only), whose inbox the sign-up page links to: mail never leaves the machine.

export const DEFAULT_MAIL_FROM = 'Idem <no-reply@localhost.localdomain>';

export type MailSettings = {
  /** nodemailer's connection URL. */
  smtpUrl: string;
  from: string;
  /** The local catcher, when it is the one in use (SMTP_URL unset). */
  catcher: { smtpPort: number; webPort: number; inboxUrl: string } | null;
};

/** From the validated configuration (scripts pass the environment they will hand their children). */
export function mailSettings(env?: Record<string, string | undefined>): MailSettings {
  const config: Config = env ? loadConfig(env) : loadConfig();
  const from = config.MAIL_FROM ?? DEFAULT_MAIL_FROM;
  if (config.SMTP_URL) return { smtpUrl: config.SMTP_URL, from, catcher: null };
  const smtpPort = config.IDEM_MAIL_SMTP_PORT ?? 1025;
  const webPort = config.IDEM_MAIL_WEB_PORT ?? 1080;
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    from,
    catcher: { smtpPort, webPort, inboxUrl: `http://127.0.0.1:${webPort}/` },
  };
}
