import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { authenticate, type AdminAuth } from '@/lib/admin/auth';
import type { SearchParams } from '@/lib/admin/route-param';
import { SESSION_COOKIE, type AdminSession } from '@/lib/admin/session';
import { problem, problemResponse } from '@/lib/http/problem';

// Every admin page and server action starts with `await requireAdmin()`, every admin route handler
// with `requireAdminRequest(request)`. Server actions are reachable by POSTing their id to ANY
// path, so a check in proxy.ts or a layout would not cover them: the check lives in each handler.

/** The sign-in state for this request (the header uses it to show "Sign out"). */
export async function currentAdmin(): Promise<AdminAuth> {
  return authenticate({ sessionToken: (await cookies()).get(SESSION_COOKIE)?.value });
}

/** For pages and server actions: the session, or a redirect to the sign-in page. */
export async function requireAdmin(returnTo?: string): Promise<AdminSession> {
  const auth = await currentAdmin();
  if (auth.status === 'signed-in') return auth.session;
  redirect(returnTo && isAdminPath(returnTo) ? `/admin/sign-in?next=${encodeURIComponent(returnTo)}` : '/admin/sign-in');
}

/** For route handlers: null when the request may proceed, otherwise the 401/403 problem response. */
export function requireAdminRequest(request: Request): Response | null {
  const auth = authenticate({ sessionToken: readCookie(request, SESSION_COOKIE), authorization: request.headers.get('authorization') });
  if (auth.status === 'signed-in') return null;
  if (auth.status === 'not-configured') return problemResponse(problem('forbidden', 'Admin access is not configured on this server.'));
  return problemResponse(problem('unauthorized', 'Sign in at /admin/sign-in, or send Authorization: Bearer <ADMIN_API_TOKEN>.'), {
    'www-authenticate': 'Bearer realm="idem-admin"',
  });
}

/** `path?query` from a page's search params, for `requireAdmin` to return to after sign-in. */
export function pathWithQuery(path: string, params: SearchParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of [value ?? []].flat()) query.append(key, v);
  return query.size > 0 ? `${path}?${query}` : path;
}

/** Only same-site admin paths are valid places to return to after signing in (no open redirect). */
export const isAdminPath = (path: string) => /^\/admin(\/[^/\\]|\?|$)/.test(path) && /^[\x21-\x7e]+$/.test(path) && !path.startsWith('/admin/sign-in');

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
