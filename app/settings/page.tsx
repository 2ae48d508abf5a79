import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { AddPasskey } from '@/app/settings/add-passkey';
import { SessionList } from '@/app/settings/session-list';
import { signOutEverywhereAction } from '@/app/session-actions';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';
import { LocalTime } from '@/app/components/local-time';

export const metadata: Metadata = { title: 'Settings · Idem' };

const SESSION_MESSAGES = {
  ended: { role: 'status', className: 'status status-success', text: 'That browser is signed out.' },
  unknown: { role: 'alert', className: 'status status-rejected', text: 'That session has already ended or is not one of yours: nothing was changed.' },
} as const;

export default async function SettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const customer = await requireCustomer('/settings');
  const { session: outcome } = await searchParams;
  const message = outcome === 'ended' || outcome === 'unknown' ? SESSION_MESSAGES[outcome] : null;
  const requestHeaders = await headers();
  const [sessions, passkeys] = await Promise.all([auth().api.listSessions({ headers: requestHeaders }), auth().api.listPasskeys({ headers: requestHeaders })]);

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
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          <AddPasskey />
        </section>
        <section className="card" aria-labelledby="api-heading">
          <h2 id="api-heading">API keys</h2>
          <p className="muted">For programs that use the JSON API on your behalf.</p>
          <Link href="/settings/api-keys">Manage API keys</Link>
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
          <p className="hint">Ends every session, on every device, this one included. API keys keep working until you revoke them.</p>
        </section>
      </div>
    </>
  );
}
