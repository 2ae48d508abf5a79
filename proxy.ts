import { NextResponse, type NextRequest } from 'next/server';
import { allowedOrigins, appOrigin, crossSiteReason, hasSessionCookie } from '@/lib/http/origins';
import { contentSecurityPolicy, newNonce, NO_DOCUMENT_POLICY, securityHeaders } from '@/lib/http/security-headers';

// Two jobs, for every page (the JSON API sets its own answers; next.config.ts adds the plain
// security headers there):
// 1. Security headers: a Content-Security-Policy with a fresh nonce per response (Next.js reads it
//    from the request's CSP header and puts it on its own scripts; every page is rendered per
//    request, the root layout reads the session), frame-ancestors 'none', nosniff, Referrer-Policy,
//    and HSTS when the site's public origin is https.
// 2. Server actions get the API's origin rule (lib/http/origins.ts): every POST to a page is a server
//    action, and it is refused unless its Origin is one of the configured origins, compared in full
//    (scheme, host, port). Next.js' own check (next.config.ts, serverActions.allowedOrigins, the same
//    list) compares hosts only, and a missing Origin passes it; a session cookie without one does not
//    pass here. The refusal names no part of the request (nothing sent is echoed back).

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function servedOverHttps(request: NextRequest): boolean {
  if (request.nextUrl.protocol === 'https:') return true;
  try {
    return appOrigin().startsWith('https:');
  } catch {
    return false;
  }
}

export function proxy(request: NextRequest) {
  const https = servedOverHttps(request);
  const headers = securityHeaders({ https });
  if (!SAFE.has(request.method)) {
    const reason = crossSiteReason(
      {
        origin: request.headers.get('origin'),
        secFetchSite: request.headers.get('sec-fetch-site'),
        ambientCredentials: hasSessionCookie(request.headers.get('cookie')),
      },
      allowedOrigins(),
    );
    if (reason !== null) {
      const body =
        'Forbidden: this form was sent from another site, or without its origin. Open the site at its own address and try again.\n';
      return new NextResponse(body, {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
      });
    }
  }
  // A server action called by the page's script is answered with React's wire format, never a
  // document: no scripts run from it, so it needs no nonce, and the request is passed on unchanged.
  if (request.headers.has('next-action')) {
    const response = NextResponse.next();
    response.headers.set('content-security-policy', NO_DOCUMENT_POLICY);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  }
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce, { https, dev: process.env.NODE_ENV === 'development' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = { matcher: ['/((?!api/|_next/).*)'] };
