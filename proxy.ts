import { NextResponse, type NextRequest } from 'next/server';
import { allowedOrigins, crossSiteReason, hasSessionCookie } from '@/lib/http/origins';

// Server actions get the API's origin rule (lib/http/origins.ts): every POST to a page is a server
// action, and it is refused unless its Origin is one of the configured origins, compared in full
// (scheme, host, port). Next.js' own check (next.config.ts, serverActions.allowedOrigins, the same
// list) compares hosts only, and a missing Origin passes it; a session cookie without one does not
// pass here. The JSON API (/api) checks in its route handlers, with the caller known.

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function proxy(request: NextRequest) {
  if (SAFE.has(request.method)) return NextResponse.next();
  const reason = crossSiteReason(
    {
      origin: request.headers.get('origin'),
      secFetchSite: request.headers.get('sec-fetch-site'),
      ambientCredentials: hasSessionCookie(request.headers.get('cookie')),
    },
    allowedOrigins(),
  );
  if (reason === null) return NextResponse.next();
  return new NextResponse(`Forbidden: ${reason}\n`, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

export const config = { matcher: ['/((?!api/|_next/).*)'] };
