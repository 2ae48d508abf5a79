import 'server-only';
import { adminConfig, type AdminConfig } from '@/lib/admin/config';
import { constantTimeEqual, verifySession, type AdminSession } from '@/lib/admin/session';

// The one admin check. Everything admin-only (pages, server actions, route handlers) reaches it
// through lib/admin/require-admin.ts; it reads nothing but its arguments and the environment.

export type AdminAuth =
  | { status: 'signed-in'; session: AdminSession; via: 'session' | 'api-token' }
  | { status: 'signed-out' }
  | { status: 'not-configured'; problems: string[] };

export type Credentials = { sessionToken?: string; authorization?: string | null };

export function authenticate(credentials: Credentials, options: { now?: Date; config?: AdminConfig } = {}): AdminAuth {
  const config = options.config ?? adminConfig();
  if (!config.configured) return { status: 'not-configured', problems: config.problems };
  const now = options.now ?? new Date();

  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(credentials.authorization ?? '')?.[1];
  if (bearer !== undefined && config.apiToken !== null && constantTimeEqual(bearer, config.apiToken)) {
    return { status: 'signed-in', via: 'api-token', session: { email: config.email, issuedAt: now, expiresAt: now } };
  }
  const session = verifySession(credentials.sessionToken, config.sessionSecret, config, now);
  return session ? { status: 'signed-in', via: 'session', session } : { status: 'signed-out' };
}
