import 'server-only';
import { createAuthMiddleware } from 'better-auth/api';
import { resetPasswordMail, signUpAttemptMail, verificationMail, type Recipient } from '@/lib/mail/messages';
import { notifyCustomer } from '@/lib/mail/notify';
import { deliver } from '@/lib/mail/transport';

// Where better-auth meets mail. Every send is started and not awaited: an answer that waited for
// SMTP would take longer for an existing email than for an unknown one (and fail when the mail
// server is down); a mail that cannot be sent is logged (lib/mail/transport.ts).

/** The options better-auth takes for verification, reset and the "someone tried to sign up" mail. */
export function mailOptions(origin: string) {
  return {
    emailVerification: {
      sendOnSignUp: true,
      // Sign-in explains and offers "Resend verification email" instead of mailing at every attempt.
      sendOnSignIn: false,
      autoSignInAfterVerification: true,
      expiresIn: 60 * 60,
      sendVerificationEmail: async ({ user, url }: { user: Recipient; url: string }) => {
        void deliver(verificationMail(user, url), 'verification');
      },
    },
    emailAndPassword: {
      requireEmailVerification: true,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 60 * 60,
      // Our page, not better-auth's redirecting endpoint: the link works without JavaScript.
      sendResetPassword: async ({ user, token }: { user: Recipient; token: string }) => {
        void deliver(
          resetPasswordMail(user, `${origin}/reset-password?token=${encodeURIComponent(token)}`),
          'reset-password',
        );
      },
      onPasswordReset: async ({ user }: { user: { id: string } }) => {
        void notifyCustomer(user.id, { kind: 'password-reset' });
      },
      onExistingUserSignUp: async ({ user }: { user: Recipient }) => {
        void deliver(signUpAttemptMail(user, origin), 'sign-up-attempt');
      },
    },
  };
}

/** Endpoints that mail someone, per client address: a page must not be a way to flood a mailbox. */
export const MAIL_RATE_LIMITS = {
  '/request-password-reset': { window: 10 * 60, max: 5 },
  '/send-verification-email': { window: 10 * 60, max: 5 },
};

type Returned = Record<string, unknown> & { user?: { id?: unknown } };

/** After an endpoint succeeded: the notices for a new API key, a new passkey, a changed password. */
export const notifyAfter = createAuthMiddleware(async (ctx) => {
  const returned = ctx.context.returned as Returned | Error | undefined;
  if (!returned || returned instanceof Error || typeof returned !== 'object') return;
  const owner = (value: unknown) => (typeof value === 'string' ? value : null);
  if (ctx.path === '/api-key/create') {
    const userId = owner(returned.referenceId) ?? owner(returned.userId);
    if (userId) void notifyCustomer(userId, { kind: 'api-key-created', keyName: String(returned.name ?? 'unnamed') });
  } else if (ctx.path === '/passkey/verify-registration') {
    const userId = owner(returned.userId);
    if (userId)
      void notifyCustomer(userId, {
        kind: 'passkey-added',
        passkeyName: typeof returned.name === 'string' ? returned.name : null,
      });
  } else if (ctx.path === '/change-password') {
    const userId = owner(returned.user?.id);
    if (userId) void notifyCustomer(userId, { kind: 'password-changed' });
  }
});
