import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { AddPasskey } from '@/app/settings/add-passkey';
import { ChangePasswordForm } from '@/app/settings/password/change-password-form';
import { removePasskeyAction } from '@/app/settings/actions';
import { ConfirmPasswordForm } from '@/app/settings/confirm-password-form';
import { PasskeyHostNotice } from '@/app/settings/passkey-host-notice';
import { SessionList } from '@/app/settings/session-list';
import { signOutEverywhereAction } from '@/app/session-actions';
import { ConfirmSubmit } from '@/app/components/confirm-submit';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';
import { hasFreshSignIn } from '@/lib/auth/reauthenticate';
import { db } from '@/lib/db/prisma';
import { LocalTime } from '@/app/components/local-time';

export const metadata: Metadata = { title: 'Settings · Idem' };

const SESSION_MESSAGES = {
  ended: { role: 'status', className: 'status status-success', text: 'That browser is signed out.' },
  unknown: {
    role: 'alert',
    className: 'status status-rejected',
    text: 'That session has already ended or is not one of yours: nothing was changed.',
  },
} as const;

export default async function SettingsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const customer = await requireCustomer('/settings');
  const { session: outcome } = await searchParams;
  const message = outcome === 'ended' || outcome === 'unknown' ? SESSION_MESSAGES[outcome] : null;
  const requestHeaders = await headers();
  // Read here, not with better-auth's listSessions: that one needs a fresh sign-in (10 minutes).
  const [sessions, passkeys, fresh] = await Promise.all([
    db().session.findMany({
      where: { userId: customer.id, expiresAt: { gt: new Date() } },
      select: { id: true, userAgent: true, ipAddress: true, updatedAt: true },
      orderBy: { updatedAt: 'desc' },
      take: 100,
    }),
    auth().api.listPasskeys({ headers: requestHeaders }),
    hasFreshSignIn(),
  ]);
  const baseURL = String(auth().options.baseURL);
  const idleMinutes = Math.round((auth().options.session?.expiresIn ?? 1800) / 60);

  return (
    <>
      <h1>Settings</h1>
      <p className="muted">
        Signed in as {customer.name} ({customer.email}).
      </p>
      <div className="settings">
        <section className="card" aria-labelledby="passkeys-heading">
          <h2 id="passkeys-heading">Passkeys</h2>
          <p className="muted">Sign in with your device’s screen lock or security key instead of your password.</p>
          {passkeys.length > 0 ? (
            <ul data-testid="passkey-list">
              {passkeys.map((p) => (
                <li key={p.id}>
                  {p.name ?? 'Passkey'}{' '}
                  <span className="muted">
                    · added <LocalTime iso={new Date(p.createdAt).toISOString()} />
                  </span>{' '}
                  <ConfirmSubmit
                    action={removePasskeyAction}
                    fields={{ passkeyId: p.id }}
                    title={`Remove the passkey “${p.name ?? 'Passkey'}”?`}
                    description="It will no longer sign you in. Your password and other passkeys keep working."
                    confirm="Remove passkey"
                  >
                    Remove<span className="visually-hidden"> passkey {p.name ?? ''}</span>
                  </ConfirmSubmit>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No passkeys yet.</p>
          )}
          <PasskeyHostNotice rpID={new URL(baseURL).hostname} appUrl={baseURL}>
            {fresh ? <AddPasskey /> : <ConfirmPasswordForm />}
          </PasskeyHostNotice>
        </section>
        <section className="card" aria-labelledby="password-heading">
          <h2 id="password-heading">Password</h2>
          <p className="muted">Changing it signs you out on every other device.</p>
          <ChangePasswordForm changed={(await searchParams).password === 'changed'} />
        </section>
        <section className="card" aria-labelledby="api-heading">
          <h2 id="api-heading">API keys</h2>
          <p className="muted">For programs that use the JSON API on your behalf.</p>
          <Link href="/settings/api-keys">Manage API keys</Link>
          <p>
            {/* /api/docs is a route handler, not a page: a plain link, no client-side navigation to try. */}
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- not a page (the rule sees a folder under app/) */}
            <a href="/api/docs">API documentation</a>
          </p>
        </section>
        <section className="card" aria-labelledby="webhooks-heading">
          <h2 id="webhooks-heading">Webhooks</h2>
          <p className="muted">Your own systems receive every event of your accounts, signed.</p>
          <Link href="/settings/webhooks">Manage webhooks</Link>
        </section>
        <section className="card" aria-labelledby="sessions-heading">
          <h2 id="sessions-heading">Sessions</h2>
          <p data-testid="session-count">
            Signed in on {sessions.length} {sessions.length === 1 ? 'browser' : 'browsers'}.
          </p>
          {message ? (
            <p role={message.role} className={message.className}>
              {message.text}
            </p>
          ) : null}
          <SessionList sessions={sessions} />
          <form action={signOutEverywhereAction}>
            <button type="submit" className="danger">
              Sign out everywhere
            </button>
          </form>
          <p className="hint">
            Ends every session, on every device, this one included. API keys keep working until you revoke them or they
            expire. A session also ends after
            {idleMinutes} minutes without use, and 12 hours after signing in.
          </p>
        </section>
      </div>
    </>
  );
}
