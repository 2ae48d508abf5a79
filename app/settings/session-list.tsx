import { headers } from 'next/headers';
import { signOutSessionAction } from '@/app/settings/session-actions';
import { LocalTime } from '@/app/components/local-time';
import { auth } from '@/lib/auth/auth';
import { deviceName } from '@/lib/auth/device-name';

type Session = { id: string; userAgent?: string | null; ipAddress?: string | null; updatedAt: Date | string };

/** The customer's signed-in browsers, this one first and marked, each other one with its own "Sign out". */
export async function SessionList({ sessions }: { sessions: Session[] }) {
  const current = (await auth().api.getSession({ headers: await headers(), query: { disableCookieCache: true } }))
    ?.session.id;
  const ordered = [...sessions].sort(
    (a, b) => Number(b.id === current) - Number(a.id === current) || +new Date(b.updatedAt) - +new Date(a.updatedAt),
  );
  return (
    <ul className="session-list" data-testid="session-list">
      {ordered.map((s) => {
        const name = deviceName(s.userAgent);
        return (
          <li key={s.id} className="session-item" data-testid="session-row">
            <span>
              <strong>{name}</strong>
              {s.id === current ? <span className="badge">This browser</span> : null}
            </span>
            <span className="muted">
              {s.ipAddress || 'address unknown'} · last used <LocalTime iso={new Date(s.updatedAt).toISOString()} />
            </span>
            {s.id === current ? null : (
              <form action={signOutSessionAction}>
                <input type="hidden" name="sessionId" value={s.id} />
                <button type="submit" className="secondary">
                  Sign out<span className="visually-hidden"> {name}</span>
                </button>
              </form>
            )}
          </li>
        );
      })}
    </ul>
  );
}
