// Where to go after signing in: only a path on this site. Anything else (another origin, a
// protocol-relative `//host`, a backslash that browsers read as a slash, control characters, the
// sign-in pages themselves) falls back to `/`, so `?next=` can never be an open redirect.

const FALLBACK = '/';
const AUTH_PAGES = /^\/(sign-in|sign-up)(\/|\?|#|$)/;

export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return FALLBACK;
  if (!next.startsWith('/') || next.startsWith('//')) return FALLBACK;
  // Printable ASCII only: no backslash (`/\host`), no tab/newline (stripped by URL parsers), no spaces.
  if (!/^[\x21-\x7e]+$/.test(next) || next.includes('\\')) return FALLBACK;
  const base = 'http://idem.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== base) return FALLBACK;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return AUTH_PAGES.test(path) ? FALLBACK : path;
}

/** `/sign-in?next=<path>` for a page that needs a signed-in customer. */
export const signInPath = (next: string) => `/sign-in?next=${encodeURIComponent(safeNextPath(next))}`;
