// The headers every page is served with (proxy.ts). Pure: the nonce and whether the site is served
// over https come in as arguments, so a unit test checks the policy itself.
//
// Scripts run only with this response's nonce ('strict-dynamic' lets Next.js' own loader add its
// chunks); no page may be framed (clickjacking); styles may be inline (React and Radix set style
// attributes, which nonces cannot cover) but only from this origin otherwise.

export function contentSecurityPolicy(nonce: string, options: { https: boolean; dev?: boolean }): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** The policy of an answer that is not a document (a server action's answer to the page's script): nothing may load or frame it. */
export const NO_DOCUMENT_POLICY = `default-src 'none'; frame-ancestors 'none'`;

/** Headers beside the CSP, for pages and API answers alike. */
export function securityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
    // Browsers ignore it over http; sent when the site is served over https (its public origin).
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/** A fresh nonce per response: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
