// What Idem's mails say. Pure: no I/O. Plain text (every client shows it; links are on lines of
// their own so that clients make them clickable). Each mail says what happened and what to do if it
// was not you; none repeats a secret.

import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd, type Cents } from '@/lib/domain/money';

export type Recipient = { name: string; email: string };
export type Message = { to: string; subject: string; text: string };

const hello = (r: Recipient) => `Hello ${r.name},`;
const notYou = (origin: string) =>
  `If this was not you, choose a new password at ${origin}/forgot-password and sign out everywhere on Settings.`;
const sign = '— Idem';

const mail = (r: Recipient, subject: string, lines: string[]): Message => ({
  to: r.email,
  subject,
  text: [hello(r), '', ...lines, '', sign, ''].join('\n'),
});

export const verificationMail = (r: Recipient, url: string): Message =>
  mail(r, 'Confirm your email for Idem', [
    'Follow this link to confirm your email address and sign in:',
    '',
    url,
    '',
    'The link works for one hour. If you did not create an account at Idem, ignore this mail: nothing happens without the link.',
  ]);

/** Sign-up with an address that already has an account: the page answers as for a new one, the owner learns here. */
export const signUpAttemptMail = (r: Recipient, origin: string): Message =>
  mail(r, 'Someone tried to sign up with your email', [
    'Someone tried to create an Idem account with your email address, which already has one. Nothing was changed.',
    '',
    `If it was you, sign in at ${origin}/sign-in — or, if you forgot your password, choose a new one at ${origin}/forgot-password.`,
    'If it was not you, you need not do anything.',
  ]);

export const resetPasswordMail = (r: Recipient, url: string): Message =>
  mail(r, 'Choose a new password for Idem', [
    'Follow this link to choose a new password:',
    '',
    url,
    '',
    'The link works for one hour and only once. Setting a new password signs you out on every device.',
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ]);

export type Notice =
  | { kind: 'password-changed' }
  | { kind: 'password-reset' }
  | { kind: 'api-key-created'; keyName: string }
  | { kind: 'passkey-added'; passkeyName: string | null }
  | { kind: 'large-transfer'; amountCents: Cents; fromAccountName: string; toAccountNumber: string }
  | { kind: 'webhook-endpoint-added'; url: string }
  | { kind: 'webhook-endpoint-disabled'; url: string; reason?: string };

/** The security and money notices (lib/mail/notify.ts sends them). */
export function noticeMail(r: Recipient, notice: Notice, origin: string): Message {
  switch (notice.kind) {
    case 'password-changed':
      return mail(r, 'Your Idem password was changed', [
        'Your password was changed. Your other sessions were signed out.',
        notYou(origin),
      ]);
    case 'password-reset':
      return mail(r, 'Your Idem password was reset', [
        'Your password was reset with a link sent to this address. Every session was signed out.',
        notYou(origin),
      ]);
    case 'api-key-created':
      return mail(r, 'A new API key was created', [
        `An API key named “${notice.keyName}” was created for your account. It can move money over the API until it is revoked.`,
        `If this was not you, revoke it at ${origin}/settings/api-keys and choose a new password at ${origin}/forgot-password.`,
      ]);
    case 'passkey-added':
      return mail(r, 'A passkey was added to your account', [
        `A passkey${notice.passkeyName ? ` (“${notice.passkeyName}”)` : ''} was added: it can now sign in to your account.`,
        notYou(origin),
      ]);
    case 'large-transfer':
      return mail(r, `You sent ${formatUsd(notice.amountCents)}`, [
        `${formatUsd(notice.amountCents)} left your account “${notice.fromAccountName}” for account ${formatAccountNumber(notice.toAccountNumber)}.`,
        `If you did not send it, sign out everywhere on ${origin}/settings, choose a new password and contact us.`,
      ]);
    case 'webhook-endpoint-added':
      return mail(r, 'A webhook endpoint was added', [
        `Events of your accounts will now be sent to ${notice.url}.`,
        notYou(origin),
      ]);
    case 'webhook-endpoint-disabled':
      return mail(r, 'A webhook endpoint was disabled', [
        `Events are no longer sent to ${notice.url}${notice.reason ? `: ${notice.reason}` : '.'}`,
        `You can enable it again on ${origin}/settings.`,
      ]);
    default: {
      const never: never = notice;
      throw new Error(`unknown notice ${JSON.stringify(never)}`);
    }
  }
}
