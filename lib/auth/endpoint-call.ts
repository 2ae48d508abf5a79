import 'server-only';
import { parseSetCookieHeader, toCookieOptions } from 'better-auth/cookies';
import { cookies, headers } from 'next/headers';
import { auth } from '@/lib/auth/auth';
import { ATTEMPTS_LEFT_HEADER } from '@/lib/auth/rate-limits';

// Server actions (the sign-in, sign-up and sign-out forms, which work without JavaScript) call the
// auth endpoints through better-auth's HTTP handler, not through `auth.api.*`: only the handler
// applies the rate limits and the origin checks, and a form must not be a way around them. The
// browser's own headers (cookie, origin, client address, fetch metadata) are passed on unchanged.

const FORWARDED = [
  'cookie',
  'origin',
  'referer',
  'user-agent',
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-dest',
  'x-forwarded-proto',
];

export type EndpointResult = {
  status: number;
  code: string | null;
  retryAfterSeconds: number | null;
  attemptsLeft: number | null;
};

export async function callAuthEndpoint(
  path:
    | '/sign-in/email'
    | '/sign-up/email'
    | '/sign-out'
    | '/revoke-sessions'
    | '/send-verification-email'
    | '/request-password-reset'
    | '/reset-password'
    | '/change-password',
  body: Record<string, unknown>,
): Promise<EndpointResult> {
  const instance = auth();
  const incoming = await headers();
  const forwarded = new Headers({ 'content-type': 'application/json' });
  const ipHeaders = instance.options.advanced?.ipAddress?.ipAddressHeaders ?? ['x-forwarded-for'];
  for (const name of [...FORWARDED, ...ipHeaders]) {
    const value = incoming.get(name);
    if (value !== null) forwarded.set(name, value);
  }
  const response = await instance.handler(
    new Request(`${instance.options.baseURL}/api/auth${path}`, {
      method: 'POST',
      headers: forwarded,
      body: JSON.stringify(body),
    }),
  );

  const setCookie = response.headers.get('set-cookie');
  if (setCookie) {
    const jar = await cookies();
    for (const [name, attributes] of parseSetCookieHeader(setCookie))
      jar.set(name, attributes.value, toCookieOptions(attributes));
  }
  const json = (await response.json().catch(() => null)) as { code?: unknown } | null;
  const retryAfter = Number(response.headers.get('x-retry-after'));
  const left = response.headers.get(ATTEMPTS_LEFT_HEADER);
  return {
    status: response.status,
    code: typeof json?.code === 'string' ? json.code : null,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    attemptsLeft: left !== null && /^\d+$/.test(left) ? Number(left) : null,
  };
}
