import { describe, expect, it } from 'vitest';
import { ConfigError } from '@/lib/config';
import { DEFAULT_MAIL_FROM, mailSettings } from '@/lib/mail/settings';

describe('mailSettings', () => {
  it('without SMTP_URL: the local catcher on 127.0.0.1, default ports 1025 and 1080, its inbox linked', () => {
    expect(mailSettings({})).toEqual({
      smtpUrl: 'smtp://127.0.0.1:1025',
      from: DEFAULT_MAIL_FROM,
      catcher: { smtpPort: 1025, webPort: 1080, inboxUrl: 'http://127.0.0.1:1080/' },
    });
    expect(mailSettings({ IDEM_MAIL_SMTP_PORT: '1125', IDEM_MAIL_WEB_PORT: '1180' }).catcher).toEqual({
      smtpPort: 1125,
      webPort: 1180,
      inboxUrl: 'http://127.0.0.1:1180/',
    });
  });

  it('with SMTP_URL: that server, MAIL_FROM, and no catcher (so no inbox link)', () => {
    const settings = mailSettings({
      SMTP_URL: 'smtps://idem:secret@smtp.example:465',
      MAIL_FROM: 'Idem <no-reply@bank.example>',
      IDEM_MAIL_WEB_PORT: '1180',
    });
    expect(settings).toEqual({
      smtpUrl: 'smtps://idem:secret@smtp.example:465',
      from: 'Idem <no-reply@bank.example>',
      catcher: null,
    });
  });

  it('a wrong value stops with one line naming the variable, never echoing SMTP_URL (it may hold a password)', () => {
    expect(() => mailSettings({ SMTP_URL: 'http://idem:secret@smtp.example' })).toThrow(ConfigError);
    expect(() => mailSettings({ SMTP_URL: 'http://idem:secret@smtp.example' })).toThrow(
      /^invalid configuration: SMTP_URL must be a URL starting with smtp:\/\/ or smtps:\/\/$/,
    );
    expect(() => mailSettings({ MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM must be an address/);
    expect(() => mailSettings({ IDEM_MAIL_WEB_PORT: '70000' })).toThrow(
      /IDEM_MAIL_WEB_PORT must be a whole number from 1 to 65535/,
    );
  });
});
